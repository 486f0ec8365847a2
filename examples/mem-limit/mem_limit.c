// SPDX-License-Identifier: GPL-2.0
/*
 * fw-mem-limit: kills a target command that maps more anonymous memory
 * than its limit, in one mmap or in total, and logs the kill.
 *
 * The probe counts, per process, anonymous mmaps less munmaps plus the
 * heap's growth by brk, and kills at the entry of the call that would cross
 * the limit (syscall tracepoints; no kprobes, BTF or LSM needed).
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
#include "mem_limit.h"
#include "util.h"

extern const char mem_limit_probe_source[];

static struct {
	char comm[ML_MAX_TARGETS][EX_COMM_LEN];
	uint64_t bytes[ML_MAX_TARGETS];
	size_t n;
	struct ex_options common;
} opt;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fw-mem-limit [OPTIONS] COMM=BYTES...\n"
		"\n"
		"Kills a process of a target command (its comm) that maps more anonymous memory\n"
		"than BYTES: in one mmap, or in total since it was first seen (anonymous mmaps\n"
		"less munmaps, plus the heap's growth by brk). The kill happens at the entry of\n"
		"the call that would cross the limit, before the mapping exists, and is logged.\n"
		"Address space is counted, not resident memory. Other processes are untouched.\n"
		"\n"
		"BYTES: a whole number with an optional K, M, G or T (powers of 1024).\n"
		"\n"
		"Options:\n"
		"  -o, --log FILE              also append every kill to FILE\n"
		EX_USAGE_COMMON
		"\n"
		"Examples:\n"
		"  fw-mem-limit postgres=2G                # no postgres process maps over 2 GiB\n"
		"  fw-mem-limit -o kills.log java=512M node=256M\n"
		"\n"
		"Exit status: 0 after a clean detach, 1 not root, 2 bad arguments, 4 no kernel\n"
		"headers, 5 the probe did not compile, load or attach.\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		EX_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	size_t i;
	int c;

	opt.common.usage = usage;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" EX_SHORTOPTS, longopts, NULL)) != -1)
		if (ex_option(c, argv, &opt.common, err, sizeof(err)) < 0)
			goto bad;
	if (optind == argc) {
		snprintf(err, sizeof(err), "no COMM=BYTES limit given (see --help)");
		goto bad;
	}
	for (; optind < argc; optind++) {
		if (opt.n == ML_MAX_TARGETS) {
			snprintf(err, sizeof(err), "too many limits (at most %d)", ML_MAX_TARGETS);
			goto bad;
		}
		if (ex_parse_comm_limit(argv[optind], opt.comm[opt.n], &opt.bytes[opt.n], err,
					sizeof(err)) < 0)
			goto bad;
		for (i = 0; i < opt.n; i++)
			if (!memcmp(opt.comm[i], opt.comm[opt.n], EX_COMM_LEN)) {
				snprintf(err, sizeof(err), "two limits for '%s'", opt.comm[i]);
				goto bad;
			}
		opt.n++;
	}
	return 0;
bad:
	ex_fail("%s", err);
	return -1;
}

static void on_event(void *cookie, void *data, int size)
{
	char request[32], total[32], limit[32];
	struct ml_event e;

	(void)cookie;
	if (size < (int)sizeof(e))
		return;
	memcpy(&e, data, sizeof(e));
	e.comm[sizeof(e.comm) - 1] = '\0';
	ex_format_bytes(e.request, request, sizeof(request));
	ex_format_bytes(e.total, total, sizeof(total));
	ex_format_bytes(e.limit, limit, sizeof(limit));
	if (e.reason == ML_ONE_MAP)
		ex_log("killed: pid %u (%s), uid %u: one mmap of %s, over its limit of %s", e.tgid, e.comm,
		       e.uid, request, limit);
	else
		ex_log("killed: pid %u (%s), uid %u: asked for %s more, %s in all, over its limit of %s",
		       e.tgid, e.comm, e.uid, request, total, limit);
}

int main(int argc, char **argv)
{
	static const char *const tps[][2] = {
		{ "syscalls", "sys_enter_mmap" },   { "syscalls", "sys_exit_mmap" },
		{ "syscalls", "sys_enter_munmap" }, { "syscalls", "sys_exit_munmap" },
		{ "syscalls", "sys_enter_brk" },    { "syscalls", "sys_exit_brk" },
		{ "sched", "sched_process_exec" },  { "sched", "sched_process_exit" },
	};
	char text[32];
	struct ex_kernel k;
	struct fw_bpf b;
	int rc, limits, counters;
	size_t i;

	if (parse_args(argc, argv) < 0)
		return FW_EXIT_USAGE;
	rc = ex_kernel_setup(&k, &opt.common);
	if (rc != FW_EXIT_OK)
		return rc;
	rc = ex_compile(&b, mem_limit_probe_source, NULL, 0, opt.common.verbose);
	if (rc != FW_EXIT_OK)
		return rc;
	limits = fw_bpf_table_fd(&b, "limits");
	counters = fw_bpf_table_fd(&b, "counters");
	for (i = 0; i < opt.n; i++) /* a NUL-padded comm is the key */
		if (limits < 0 || bpf_update_elem(limits, opt.comm[i], &opt.bytes[i], 0) < 0)
			return ex_abort(&b, "cannot fill the probe's limits map: %s", strerror(errno));
	for (i = 0; i < sizeof(tps) / sizeof(tps[0]); i++)
		if (ex_attach_tracepoint(&b, tps[i][0], tps[i][1]) < 0) {
			fw_bpf_close(&b);
			return FW_EXIT_BPF;
		}
	rc = ex_start(&b, on_event, opt.common.duration, false);
	if (rc != FW_EXIT_OK)
		return rc;
	fprintf(stderr, "fw-mem-limit: attached (syscall tracepoints); limits:");
	for (i = 0; i < opt.n; i++) {
		ex_format_bytes(opt.bytes[i], text, sizeof(text));
		fprintf(stderr, "%s %s=%s", i ? "," : "", opt.comm[i], text);
	}
	fprintf(stderr, "; Ctrl-C to stop\n");

	ex_poll_until_stopped(&b, NULL, NULL, 1000);
	{
		uint64_t killed = ex_percpu_sum(counters, ML_COUNT_KILLED);
		uint64_t maps = ex_percpu_sum(counters, ML_COUNT_MAPS);
		uint64_t untracked = ex_percpu_sum(counters, ML_COUNT_UNTRACKED);
		uint64_t lost = ex_percpu_sum(counters, ML_COUNT_LOST) + ex_lost_events;

		fw_bpf_close(&b);
		fprintf(stderr,
			"fw-mem-limit: detached; %llu processes killed, %llu anonymous mmaps of targets "
			"checked, %llu reports lost%s\n",
			(unsigned long long)killed, (unsigned long long)maps, (unsigned long long)lost,
			untracked ? " (some processes untracked: map full)" : "");
	}
	ex_log_close();
	return FW_EXIT_OK;
}
