// SPDX-License-Identifier: GPL-2.0
/*
 * fw-file-guard: only the commands you allow may open the paths you guard.
 *
 * With BPF-LSM (kernel BTF, the bpf LSM active, headers that match the
 * running kernel) an unauthorized open fails with EPERM. Without it the
 * opener is killed from the open syscalls' tracepoints, which see only the
 * path string as passed (see examples/README.md for what that misses).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <linux/types.h>

#include "ex_common.h"
#include "ex_lists.h"
#include "file_guard.h"
#include "util.h"

extern const char file_guard_probe_source[];

struct guarded {
	char path[EX_PATH_LEN];
	char real[EX_PATH_LEN]; /* resolved, when it differs */
	bool dir;
	struct stat st;
};

static struct {
	struct guarded paths[FG_MAX_ENTRIES];
	size_t npaths;
	char allowed[256][EX_COMM_LEN];
	size_t nallowed;
	enum ex_mode mode;
	struct ex_options common;
} opt;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fw-file-guard [OPTIONS] PATH...\n"
		"\n"
		"Only the commands you allow may open the guarded paths; a guarded directory\n"
		"guards everything below it. Runs until Ctrl-C (or --duration), then detaches.\n"
		"\n"
		"Modes:\n"
		"  lsm   a BPF-LSM program on file_open: the open fails with EPERM. Needs kernel\n"
		"        BTF, the bpf LSM active (lsm=...,bpf) and headers of the running kernel.\n"
		"  kill  the opener is killed at the open syscall (SIGKILL, before it gets the\n"
		"        descriptor). Matches the path string as passed: relative paths, other\n"
		"        names (links, '..') and O_TRUNC/O_CREAT side effects are not caught.\n"
		"  auto  lsm where it loads, else kill (the default); the mode in use is printed.\n"
		"\n"
		"Options:\n"
		"  -a, --allow COMM[,COMM...]  commands allowed to open the guarded paths\n"
		"                              (the kernel's comm, at most 15 characters;\n"
		"                              repeatable)\n"
		"  -m, --mode MODE             auto, lsm or kill (default: auto)\n"
		"  -o, --log FILE              also append every block to FILE\n"
		EX_USAGE_COMMON
		"\n"
		"Examples:\n"
		"  fw-file-guard /etc/shadow                  # nobody opens it (not even root)\n"
		"  fw-file-guard -a sshd,passwd,unix_chkpwd /etc/shadow /etc/ssh\n"
		"  fw-file-guard -m kill -o blocked.log /srv/secrets\n"
		"\n"
		"Exit status: 0 after a clean detach, 1 not root, 2 bad arguments, 4 no kernel\n"
		"headers, 5 the probe did not compile, load or attach (or --mode lsm where\n"
		"BPF-LSM is unavailable).\n");
}

static int add_allowed(const char *item, void *ctx, char *err, size_t errlen)
{
	(void)ctx;
	if (opt.nallowed == sizeof(opt.allowed) / sizeof(opt.allowed[0])) {
		snprintf(err, errlen, "too many --allow commands (at most 256)");
		return -1;
	}
	return ex_parse_comm(item, opt.allowed[opt.nallowed++], err, errlen);
}

static int add_path(const char *arg, char *err, size_t errlen)
{
	struct guarded *g;
	char real[PATH_MAX];
	size_t ndirs = 0, i;

	if (ex_check_path(arg, err, errlen) < 0)
		return -1;
	if (opt.npaths == FG_MAX_ENTRIES) {
		snprintf(err, errlen, "too many paths (at most %d)", FG_MAX_ENTRIES);
		return -1;
	}
	g = &opt.paths[opt.npaths];
	memset(g, 0, sizeof(*g));
	snprintf(g->path, sizeof(g->path), "%s", arg);
	if (stat(arg, &g->st) < 0) {
		snprintf(err, errlen, "cannot guard %s: %s", arg, strerror(errno));
		return -1;
	}
	g->dir = S_ISDIR(g->st.st_mode);
	if (realpath(arg, real) && strcmp(real, arg) && strlen(real) < EX_PATH_LEN)
		snprintf(g->real, sizeof(g->real), "%s", real);
	for (i = 0; i < opt.npaths; i++)
		ndirs += opt.paths[i].dir ? 1 + (opt.paths[i].real[0] != '\0') : 0;
	if (g->dir && ndirs + 1 + (g->real[0] != '\0') > FG_MAX_DIRS) {
		snprintf(err, errlen, "too many guarded directories (at most %d, links counted twice)",
			 FG_MAX_DIRS);
		return -1;
	}
	opt.npaths++;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "allow", required_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'm' },
		EX_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	char err[512], buf[4096];
	int c, rc;

	opt.common.usage = usage;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a:m:" EX_SHORTOPTS, longopts, NULL)) != -1) {
		rc = ex_option(c, argv, &opt.common, err, sizeof(err));
		if (rc < 0)
			goto bad;
		if (rc > 0)
			continue;
		if (c == 'a') {
			snprintf(buf, sizeof(buf), "%s", optarg);
			if (ex_each_item(buf, add_allowed, NULL, err, sizeof(err)) < 0)
				goto bad;
		} else if (ex_parse_mode(optarg, &opt.mode, err, sizeof(err)) < 0) { /* -m */
			goto bad;
		}
	}
	if (optind == argc) {
		snprintf(err, sizeof(err), "no path to guard (see --help)");
		goto bad;
	}
	for (; optind < argc; optind++)
		if (add_path(argv[optind], err, sizeof(err)) < 0)
			goto bad;
	return 0;
bad:
	ex_fail("%s", err);
	return -1;
}

/* The kernel's dev_t (MKDEV: major << 20 | minor), as the LSM hook reads it. */
static __u32 kernel_dev(dev_t dev)
{
	return (__u32)(major(dev) << 20 | minor(dev));
}

static int fill_maps(struct fw_bpf *b)
{
	int comms = fw_bpf_table_fd(b, "allowed_comms"), inodes = fw_bpf_table_fd(b, "guarded_inodes");
	int paths = fw_bpf_table_fd(b, "guarded_paths"), dirs = fw_bpf_table_fd(b, "guarded_dirs");
	__u32 slot = 0, i;
	__u8 one = 1;

	if (comms < 0 || inodes < 0 || paths < 0 || dirs < 0)
		return -1;
	for (i = 0; i < opt.nallowed; i++) /* a NUL-padded comm is the key */
		if (bpf_update_elem(comms, opt.allowed[i], &one, 0) < 0)
			return -1;
	for (i = 0; i < opt.npaths; i++) {
		struct guarded *g = &opt.paths[i];
		struct fg_inode_key ik = { .ino = g->st.st_ino, .dev = kernel_dev(g->st.st_dev) };
		const char *names[2] = { g->path, g->real };
		int n;

		if (bpf_update_elem(inodes, &ik, &i, 0) < 0)
			return -1;
		for (n = 0; n < 2; n++) {
			if (!names[n][0])
				continue;
			if (g->dir) {
				struct fg_dir d = { .len = (__u32)strlen(names[n]), .index = i };

				memcpy(d.path, names[n], d.len);
				if (bpf_update_elem(dirs, &slot, &d, 0) < 0)
					return -1;
				slot++;
			}
			{
				struct fg_path_key pk;

				memset(&pk, 0, sizeof(pk));
				memcpy(pk.path, names[n], strlen(names[n]));
				if (bpf_update_elem(paths, &pk, &i, 0) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static void on_event(void *cookie, void *data, int size)
{
	struct fg_event e;
	const char *guarded;

	(void)cookie;
	if (size < (int)sizeof(e))
		return;
	memcpy(&e, data, sizeof(e));
	e.comm[sizeof(e.comm) - 1] = '\0';
	e.name[sizeof(e.name) - 1] = '\0';
	guarded = e.index < opt.npaths ? opt.paths[e.index].path : "?";
	if (e.action == FG_DENIED)
		ex_log("denied: pid %u (%s), uid %u, opening %s (guarded: %s): EPERM", e.tgid, e.comm,
		       e.uid, e.name, guarded);
	else
		ex_log("killed: pid %u (%s), uid %u, opening %s (guarded: %s)", e.tgid, e.comm, e.uid,
		       e.name, guarded);
}

static const struct ex_syscall_tp open_tps[] = {
	{ "sys_enter_open", "-DEX_TP_OPEN=1" },
	{ "sys_enter_openat", "-DEX_TP_OPENAT=1" },
	{ "sys_enter_openat2", "-DEX_TP_OPENAT2=1" },
};
#define N_OPEN_TPS (sizeof(open_tps) / sizeof(open_tps[0]))

int main(int argc, char **argv)
{
	char mismatch[512] = "";
	const char *cflags[8];
	struct ex_kernel k;
	struct ex_lsm lsm_choice;
	struct fw_bpf b;
	bool lsm = false;
	int rc, n = 0, counters_fd;
	size_t i;

	if (parse_args(argc, argv) < 0)
		return FW_EXIT_USAGE;
	rc = ex_kernel_setup(&k, &opt.common);
	if (rc != FW_EXIT_OK)
		return rc;
	if (k.hdr.mismatch)
		snprintf(mismatch, sizeof(mismatch),
			 "the kernel headers (%s) are not the running kernel's (%s); the LSM hook "
			 "reads struct file",
			 k.hdr.release, k.uts.release);
	if (ex_lsm_plan(&lsm_choice, opt.mode, mismatch[0] ? mismatch : NULL) < 0)
		return FW_EXIT_BPF;
	if (ex_lsm_try(&lsm_choice))
		cflags[n++] = "-DEX_LSM=1";
	ex_syscall_tp_cflags(&k, open_tps, N_OPEN_TPS, cflags, &n);
	rc = ex_compile(&b, file_guard_probe_source, cflags, n, opt.common.verbose);
	if (rc != FW_EXIT_OK)
		return rc;
	if (fill_maps(&b) < 0)
		return ex_abort(&b, "cannot fill the probe's maps: %s", strerror(errno));
	if (ex_lsm_try(&lsm_choice)) {
		if (fw_bpf_attach_lsm(&b, "lsm__file_open") == 0)
			lsm = true;
		else if (ex_lsm_failed(&lsm_choice, &b) < 0)
			return ex_abort(&b, "--mode lsm: %s", lsm_choice.why_not);
	}
	if (!lsm && ex_attach_syscall_tps(&b, &k, open_tps, N_OPEN_TPS,
					  "open syscall tracepoints (syscalls:sys_enter_open*)") < 0) {
		fw_bpf_close(&b);
		return FW_EXIT_BPF;
	}
	counters_fd = fw_bpf_table_fd(&b, "counters"); /* before the compiler goes */
	rc = ex_start(&b, on_event, opt.common.duration, false);
	if (rc != FW_EXIT_OK)
		return rc;
	if (lsm)
		fprintf(stderr, "fw-file-guard: mode lsm: unauthorized opens fail with EPERM\n");
	else
		fprintf(stderr,
			"fw-file-guard: mode kill%s: openers are killed at the open syscall; only the "
			"path strings given are matched\n",
			ex_lsm_kill_reason(&lsm_choice));
	for (i = 0; i < opt.npaths; i++)
		fprintf(stderr, "fw-file-guard: guarding %s%s%s%s\n", opt.paths[i].path,
			opt.paths[i].dir ? "/ and everything below it" : "",
			opt.paths[i].real[0] && !lsm ? ", also as " : "",
			opt.paths[i].real[0] && !lsm ? opt.paths[i].real : "");
	fprintf(stderr, "fw-file-guard: attached; allowed: ");
	for (i = 0; i < opt.nallowed; i++)
		fprintf(stderr, "%s%s", i ? "," : "", opt.allowed[i]);
	fprintf(stderr, "%s; Ctrl-C to stop\n", opt.nallowed ? "" : "nobody");

	ex_poll_until_stopped(&b, NULL, NULL, 1000);
	{
		uint64_t blocked = ex_percpu_sum(counters_fd, FG_COUNT_BLOCKED);
		uint64_t allowed = ex_percpu_sum(counters_fd, FG_COUNT_ALLOWED);
		uint64_t lost = ex_percpu_sum(counters_fd, FG_COUNT_LOST) + ex_lost_events;

		fw_bpf_close(&b);
		fprintf(stderr,
			"fw-file-guard: detached; %llu opens %s, %llu allowed (--allow), %llu "
			"reports lost\n",
			(unsigned long long)blocked, lsm ? "denied" : "killed",
			(unsigned long long)allowed, (unsigned long long)lost);
	}
	ex_log_close();
	return FW_EXIT_OK;
}
