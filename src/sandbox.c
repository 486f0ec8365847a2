// SPDX-License-Identifier: GPL-2.0
/* Entering the sandbox plan (sandbox_plan.c): capabilities with
 * libcap-ng, the syscall allow-list with libseccomp. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <linux/capability.h>
#include <unistd.h>

#include <cap-ng.h>
#include <seccomp.h>

#include "sandbox.h"
#include "util.h"

int fw_sandbox_drop_caps(const struct fw_sandbox_facts *f, char *err, size_t errlen)
{
	struct fw_sandbox_cap keep[FW_SANDBOX_MAX_CAPS];
	size_t n = fw_sandbox_caps(f, keep, FW_SANDBOX_MAX_CAPS), i;

	int select = CAPNG_SELECT_ALL;

	/* The bounding set goes too when this process may change it: nothing
	 * it runs later could win a capability back. A service manager that
	 * withheld CAP_SETPCAP has bounded it already (and no_new_privs below
	 * keeps it so). */
	if (capng_get_caps_process() == 0 &&
	    !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		select = CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT;
	capng_clear(CAPNG_SELECT_ALL);
	for (i = 0; i < n && i < FW_SANDBOX_MAX_CAPS; i++)
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, (unsigned)keep[i].cap) < 0) {
			snprintf(err, errlen, "cannot keep %s", keep[i].name);
			return -1;
		}
	if (capng_apply((capng_select_t)select) < 0) {
		snprintf(err, errlen, "cannot drop capabilities (libcap-ng: %s)", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Names of syscall numbers, made before the filter: the SIGSYS handler
 * may run inside malloc, so it only reads this. */
#define NAMES 1024
static const char *syscall_names[NAMES];
static int refused_exit_code = 1;

static void write_all(const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t w = write(STDERR_FILENO, s, len);

		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

static void on_refused(int sig, siginfo_t *info, void *uctx)
{
	char num[16];
	int nr = info->si_syscall, i = (int)sizeof(num) - 1;
	unsigned v = nr < 0 ? 0 : (unsigned)nr;

	(void)sig;
	(void)uctx;
	num[i] = '\0';
	do
		num[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	write_all(program_invocation_short_name);
	write_all(": the seccomp allow-list refused syscall ");
	write_all(num + i);
	if (nr >= 0 && nr < NAMES && syscall_names[nr]) {
		write_all(" (");
		write_all(syscall_names[nr]);
		write_all(")");
	}
	write_all(": a code path needs more than src/sandbox_plan.c lists; exiting (please report "
		  "this)\n");
	_exit(refused_exit_code);
}

int fw_sandbox_seccomp(const struct fw_sandbox_facts *f, bool sanitized, int exit_code, char *err,
		       size_t errlen)
{
	const char *names[FW_SANDBOX_MAX_SYSCALLS];
	struct sigaction sa;
	scmp_filter_ctx ctx;
	size_t count, i;
	int rc, nr, allowed = 0;
	bool has_prctl = false;

	for (nr = 0; nr < NAMES; nr++)
		if (!syscall_names[nr])
			syscall_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	refused_exit_code = exit_code;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_refused;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		snprintf(err, errlen, "cannot handle SIGSYS: %s", strerror(errno));
		return -1;
	}
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, errlen, "cannot start a seccomp filter (libseccomp)");
		return -1;
	}
	/* On every thread (libmicrohttpd's too), or on none. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	count = fw_sandbox_syscalls(f, sanitized, names, FW_SANDBOX_MAX_SYSCALLS);
	for (i = 0; rc == 0 && i < count && i < FW_SANDBOX_MAX_SYSCALLS; i++) {
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue; /* not a syscall of this arch (open on arm64) */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		allowed += rc == 0;
		has_prctl |= strcmp(names[i], "prctl") == 0;
	}
	/* libmicrohttpd's thread names itself (prctl PR_SET_NAME) when it
	 * starts, which may be after the filter is on: that one use only. */
	if (rc == 0 && !has_prctl) {
		struct scmp_arg_cmp set_name = {
			.arg = 0, .op = SCMP_CMP_EQ, .datum_a = PR_SET_NAME, .datum_b = 0
		};

		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, &set_name);
		allowed += rc == 0;
	}
	if (rc == 0 && fw_sandbox_socket_family(f) >= 0) {
		struct scmp_arg_cmp family = {
			.arg = 0, .op = SCMP_CMP_EQ,
			.datum_a = (scmp_datum_t)fw_sandbox_socket_family(f), .datum_b = 0
		};

		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, &family);
		allowed += rc == 0;
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "cannot install the seccomp filter: %s", strerror(-rc));
		return -1;
	}
	return allowed;
}

void fw_sandbox_read_facts(struct fw_sandbox_facts *f)
{
	char buf[4096];
	FILE *mi;

	if (fw_read_small_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) > 0)
		f->cap_bpf_exists = strtol(buf, NULL, 10) >= 39; /* CAP_BPF */
	if (fw_read_small_file("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf)) > 0)
		f->perf_admin_only = strtol(buf, NULL, 10) >= 3;
	/* Line by line: a container host's mountinfo runs to megabytes. */
	mi = fopen("/proc/self/mountinfo", "re");
	while (mi && fgets(buf, sizeof(buf), mi))
		if (fw_mountinfo_proc_hidepid(buf)) {
			f->proc_hidepid = true;
			break;
		}
	if (mi)
		fclose(mi);
}
