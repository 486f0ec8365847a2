// SPDX-License-Identifier: GPL-2.0
/*
 * net-block's probe: target commands (by comm) may not use the network
 * syscalls. With EX_LSM the socket_connect, socket_sendmsg and
 * socket_recvmsg LSM hooks deny the call (-EPERM) before anything is sent;
 * otherwise the syscalls' entry tracepoints kill the caller (the call
 * itself may still go out: the signal is taken on the way back to user
 * space). Neither reads a kernel struct: the hooks' arguments are unused.
 */
#include <linux/sched.h>
#include <linux/net.h>

BPF_HASH(targets, struct nb_comm_key, u8, NB_MAX_TARGETS);
BPF_PERCPU_ARRAY(counters, u64, NB_COUNTERS);
BPF_PERF_OUTPUT(events);

static __always_inline bool nb_is_target(void)
{
	struct nb_comm_key key = {};

	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	return targets.lookup(&key) != NULL;
}

static __always_inline void nb_report(void *ctx, u32 call, u32 action)
{
	struct nb_event e = {};
	u64 id = bpf_get_current_pid_tgid();
	int which = NB_COUNT_BLOCKED;
	u64 *c = counters.lookup(&which);

	if (c)
		(*c)++;
	e.pid = (u32)id;
	e.tgid = id >> 32;
	e.uid = (u32)bpf_get_current_uid_gid();
	e.call = call;
	e.action = action;
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	if (events.perf_submit(ctx, &e, sizeof(e)) < 0) {
		which = NB_COUNT_LOST;
		c = counters.lookup(&which);
		if (c)
			(*c)++;
	}
}

#if EX_LSM
LSM_PROBE(socket_connect, struct socket *sock, struct sockaddr *address, int addrlen)
{
	if (!nb_is_target())
		return 0;
	nb_report(ctx, NB_CONNECT, NB_DENIED);
	return -EPERM;
}

LSM_PROBE(socket_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	if (!nb_is_target())
		return 0;
	nb_report(ctx, NB_SENDMSG, NB_DENIED);
	return -EPERM;
}

LSM_PROBE(socket_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags)
{
	if (!nb_is_target())
		return 0;
	nb_report(ctx, NB_RECVMSG, NB_DENIED);
	return -EPERM;
}
#endif

static __always_inline int nb_kill(void *ctx, u32 call)
{
	if (!nb_is_target())
		return 0;
	bpf_send_signal(9);
	nb_report(ctx, call, NB_KILLED);
	return 0;
}

#if EX_TP_CONNECT
TRACEPOINT_PROBE(syscalls, sys_enter_connect) { return nb_kill(args, NB_CONNECT); }
#endif
#if EX_TP_SENDTO
TRACEPOINT_PROBE(syscalls, sys_enter_sendto) { return nb_kill(args, NB_SENDTO); }
#endif
#if EX_TP_RECVFROM
TRACEPOINT_PROBE(syscalls, sys_enter_recvfrom) { return nb_kill(args, NB_RECVFROM); }
#endif
#if EX_TP_SENDMSG
TRACEPOINT_PROBE(syscalls, sys_enter_sendmsg) { return nb_kill(args, NB_SENDMSG); }
#endif
#if EX_TP_RECVMSG
TRACEPOINT_PROBE(syscalls, sys_enter_recvmsg) { return nb_kill(args, NB_RECVMSG); }
#endif
#if EX_TP_SENDMMSG
TRACEPOINT_PROBE(syscalls, sys_enter_sendmmsg) { return nb_kill(args, NB_SENDMMSG); }
#endif
#if EX_TP_RECVMMSG
TRACEPOINT_PROBE(syscalls, sys_enter_recvmmsg) { return nb_kill(args, NB_RECVMMSG); }
#endif
