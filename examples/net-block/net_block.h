/* SPDX-License-Identifier: GPL-2.0 */
/* What net_block.bpf.c and net_block.c share. Fixed-width types only. */
#ifndef NET_BLOCK_H
#define NET_BLOCK_H

#define NB_MAX_TARGETS 256

/* The calls watched: syscalls in kill mode, the LSM hooks behind them
 * (connect; sendmsg for send, sendto, sendmsg, sendmmsg and write on a
 * socket; recvmsg likewise) in lsm mode. */
enum nb_call {
	NB_CONNECT,
	NB_SENDTO,
	NB_RECVFROM,
	NB_SENDMSG,
	NB_RECVMSG,
	NB_SENDMMSG,
	NB_RECVMMSG,
	NB_CALLS
};
enum nb_action { NB_DENIED = 1, NB_KILLED = 2 };
enum nb_counter { NB_COUNT_BLOCKED, NB_COUNT_LOST, NB_COUNTERS };

struct nb_comm_key {
	char comm[16];
};

struct nb_event {
	__u32 pid;
	__u32 tgid;
	__u32 uid;
	__u32 call;
	__u32 action;
	__u32 pad;
	char comm[16];
};

#endif
