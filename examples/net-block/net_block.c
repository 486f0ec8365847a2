// SPDX-License-Identifier: GPL-2.0
/*
 * fw-net-block: target commands may not use the network syscalls
 * (connect, sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg).
 * With BPF-LSM the calls fail with EPERM; without it the caller is killed
 * from the syscalls' tracepoints.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <linux/types.h>

#include "ex_common.h"
#include "ex_lists.h"
#include "net_block.h"
#include "util.h"

extern const char net_block_probe_source[];

static const char *const call_names[NB_CALLS] = {
	[NB_CONNECT] = "connect",   [NB_SENDTO] = "sendto",	  [NB_RECVFROM] = "recvfrom",
	[NB_SENDMSG] = "sendmsg",   [NB_RECVMSG] = "recvmsg",	  [NB_SENDMMSG] = "sendmmsg",
	[NB_RECVMMSG] = "recvmmsg",
};
static const struct ex_syscall_tp call_tps[] = {
	{ "sys_enter_connect", "-DEX_TP_CONNECT=1" },	{ "sys_enter_sendto", "-DEX_TP_SENDTO=1" },
	{ "sys_enter_recvfrom", "-DEX_TP_RECVFROM=1" }, { "sys_enter_sendmsg", "-DEX_TP_SENDMSG=1" },
	{ "sys_enter_recvmsg", "-DEX_TP_RECVMSG=1" },	{ "sys_enter_sendmmsg", "-DEX_TP_SENDMMSG=1" },
	{ "sys_enter_recvmmsg", "-DEX_TP_RECVMMSG=1" },
};
#define N_CALL_TPS (sizeof(call_tps) / sizeof(call_tps[0]))

static struct {
	char comm[NB_MAX_TARGETS][EX_COMM_LEN];
	size_t n;
	enum ex_mode mode;
	struct ex_options common;
} opt;
static bool lsm_mode;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fw-net-block [OPTIONS] COMM...\n"
		"\n"
		"Target commands (the kernel's comm, at most 15 characters) may not use the\n"
		"network: connect, sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg.\n"
		"Other processes are untouched. Runs until Ctrl-C (or --duration).\n"
		"\n"
		"Modes:\n"
		"  lsm   BPF-LSM programs on socket_connect, socket_sendmsg and socket_recvmsg:\n"
		"        the call fails with EPERM before anything is sent (read and write on a\n"
		"        socket too). Needs kernel BTF and the bpf LSM active (lsm=...,bpf).\n"
		"  kill  the caller is killed at the syscall's entry (SIGKILL). The call itself\n"
		"        may still go out; read and write on a socket are not watched.\n"
		"  auto  lsm where it loads, else kill (the default); the mode in use is printed.\n"
		"\n"
		"Options:\n"
		"  -m, --mode MODE             auto, lsm or kill (default: auto)\n"
		"  -o, --log FILE              also append every block to FILE\n"
		EX_USAGE_COMMON
		"\n"
		"Examples:\n"
		"  fw-net-block curl wget                 # they can no longer reach anything\n"
		"  fw-net-block -m kill -o blocked.log backup-agent\n"
		"\n"
		"Exit status: 0 after a clean detach, 1 not root, 2 bad arguments, 4 no kernel\n"
		"headers, 5 the probe did not compile, load or attach (or --mode lsm where\n"
		"BPF-LSM is unavailable).\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		EX_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	int c, rc;

	opt.common.usage = usage;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:" EX_SHORTOPTS, longopts, NULL)) != -1) {
		rc = ex_option(c, argv, &opt.common, err, sizeof(err));
		if (rc < 0 || (rc == 0 && ex_parse_mode(optarg, &opt.mode, err, sizeof(err)) < 0))
			goto bad; /* -m is the only option of its own */
	}
	if (optind == argc) {
		snprintf(err, sizeof(err), "no target command given (see --help)");
		goto bad;
	}
	for (; optind < argc; optind++) {
		if (opt.n == NB_MAX_TARGETS) {
			snprintf(err, sizeof(err), "too many targets (at most %d)", NB_MAX_TARGETS);
			goto bad;
		}
		if (ex_parse_comm(argv[optind], opt.comm[opt.n], err, sizeof(err)) < 0)
			goto bad;
		opt.n++;
	}
	return 0;
bad:
	ex_fail("%s", err);
	return -1;
}

static void on_event(void *cookie, void *data, int size)
{
	struct nb_event e;
	const char *call;

	(void)cookie;
	if (size < (int)sizeof(e))
		return;
	memcpy(&e, data, sizeof(e));
	e.comm[sizeof(e.comm) - 1] = '\0';
	call = e.call < NB_CALLS ? call_names[e.call] : "?";
	if (e.action == NB_DENIED)
		ex_log("denied: pid %u (%s), uid %u: %s (socket_%s hook): EPERM", e.tgid, e.comm, e.uid,
		       call, call);
	else
		ex_log("killed: pid %u (%s), uid %u: %s", e.tgid, e.comm, e.uid, call);
}

static int attach_lsm(struct fw_bpf *b)
{
	static const char *const hooks[] = { "lsm__socket_connect", "lsm__socket_sendmsg",
					     "lsm__socket_recvmsg" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (fw_bpf_attach_lsm(b, hooks[i]) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *cflags[N_CALL_TPS + 1];
	struct ex_lsm lsm_choice;
	struct ex_kernel k;
	struct fw_bpf b;
	int rc, n = 0, targets, counters, i, attached = 0;
	__u8 one = 1;

	if (parse_args(argc, argv) < 0)
		return FW_EXIT_USAGE;
	rc = ex_kernel_setup(&k, &opt.common);
	if (rc != FW_EXIT_OK)
		return rc;
	if (ex_lsm_plan(&lsm_choice, opt.mode, NULL) < 0) /* the hooks read no struct: any headers */
		return FW_EXIT_BPF;
	if (ex_lsm_try(&lsm_choice))
		cflags[n++] = "-DEX_LSM=1";
	ex_syscall_tp_cflags(&k, call_tps, N_CALL_TPS, cflags, &n);
	rc = ex_compile(&b, net_block_probe_source, cflags, n, opt.common.verbose);
	if (rc != FW_EXIT_OK)
		return rc;
	targets = fw_bpf_table_fd(&b, "targets");
	counters = fw_bpf_table_fd(&b, "counters");
	for (i = 0; i < (int)opt.n; i++) /* a NUL-padded comm is the key */
		if (targets < 0 || bpf_update_elem(targets, opt.comm[i], &one, 0) < 0)
			return ex_abort(&b, "cannot fill the probe's targets map: %s", strerror(errno));
	if (ex_lsm_try(&lsm_choice)) {
		if (attach_lsm(&b) == 0)
			lsm_mode = true;
		else if (ex_lsm_failed(&lsm_choice, &b) < 0)
			return ex_abort(&b, "--mode lsm: %s", lsm_choice.why_not);
	}
	if (!lsm_mode) {
		attached = ex_attach_syscall_tps(&b, &k, call_tps, N_CALL_TPS,
						 "network syscall tracepoints (syscalls:sys_enter_connect, ...)");
		if (attached < 0) {
			fw_bpf_close(&b);
			return FW_EXIT_BPF;
		}
	}
	rc = ex_start(&b, on_event, opt.common.duration, false);
	if (rc != FW_EXIT_OK)
		return rc;
	if (lsm_mode)
		fprintf(stderr, "fw-net-block: mode lsm: the targets' connect, send and receive calls "
				"fail with EPERM\n");
	else
		fprintf(stderr, "fw-net-block: mode kill%s: targets are killed at their first network "
				"syscall (%d tracepoints)\n",
			ex_lsm_kill_reason(&lsm_choice), attached);
	fprintf(stderr, "fw-net-block: attached; targets:");
	for (i = 0; i < (int)opt.n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", opt.comm[i]);
	fprintf(stderr, "; Ctrl-C to stop\n");

	ex_poll_until_stopped(&b, NULL, NULL, 1000);
	{
		uint64_t blocked = ex_percpu_sum(counters, NB_COUNT_BLOCKED);
		uint64_t lost = ex_percpu_sum(counters, NB_COUNT_LOST) + ex_lost_events;

		fw_bpf_close(&b);
		fprintf(stderr, "fw-net-block: detached; %llu calls %s, %llu reports lost\n",
			(unsigned long long)blocked, lsm_mode ? "denied" : "ended by a kill",
			(unsigned long long)lost);
	}
	ex_log_close();
	return FW_EXIT_OK;
}
