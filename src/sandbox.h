/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege once everything is attached: the capabilities the watcher
 * keeps (and why), no_new_privs, and a seccomp allow-list of the syscalls
 * its steady state makes. The plan (which capabilities, which syscalls) is
 * pure and unit-tested (sandbox_plan.c); entering it (libcap-ng,
 * libseccomp) is glue (sandbox.c).
 */
#ifndef FW_SANDBOX_H
#define FW_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef FW_SANITIZED
#define FW_SANITIZED_BUILD true /* the allow-list lets LeakSanitizer check at exit */
#else
#define FW_SANITIZED_BUILD false
#endif

/* What decides the capabilities a running watcher needs. */
struct fw_sandbox_facts {
	bool cap_bpf_exists;      /* CAP_BPF and CAP_PERFMON exist (5.8 on: cap_last_cap >= 39) */
	bool perf_admin_only;     /* perf_event_paranoid >= 3: Debian's patch wants CAP_SYS_ADMIN */
	bool attaches_later;      /* it attaches perf events while running (returns on demand) */
	bool kill_sweep;          /* --kill: user space stops and kills members (other users') */
	bool proc_hidepid;        /* /proc is mounted with hidepid: others' entries need ptrace rights */
	bool textfile_needs_dac;  /* --metrics-textfile's directory is not writable by root as owner */
	bool detaches_xdp;        /* fw-xdp-allow: detaches its program at exit (netlink) */
	bool sends_syslog;        /* --syslog: reconnects to /dev/log when the daemon restarts */
};

#define FW_SANDBOX_MAX_CAPS 8

struct fw_sandbox_cap {
	int cap;          /* CAP_* */
	const char *name; /* "cap_bpf" */
	const char *why;  /* one line, for --verbose and the README's table */
};

/* The capabilities to keep, in a fixed order; returns how many. */
size_t fw_sandbox_caps(const struct fw_sandbox_facts *f, struct fw_sandbox_cap *out, size_t max);

/* The syscalls the steady state makes (names, as libseccomp resolves them;
 * a name this arch lacks is skipped), into out (at most max); returns how
 * many there are. sanitized: also the ones the ASan/LSan runtime makes (a
 * leak check at exit clones and ptraces). */
size_t fw_sandbox_syscalls(const struct fw_sandbox_facts *f, bool sanitized, const char **out,
			   size_t max);

/* socket(2) is allowed for one address family only, or not at all: the
 * family (AF_UNIX for --syslog), or -1. Not in fw_sandbox_syscalls' list
 * (which allows a syscall with any arguments) unless a fact needs it whole
 * (fw-xdp-allow's netlink socket). */
int fw_sandbox_socket_family(const struct fw_sandbox_facts *f);

#define FW_SANDBOX_MAX_SYSCALLS 160

/* Pure: does a /proc/self/mountinfo text mount /proc (fstype proc) with a
 * hidepid other than 0 / "off"? */
bool fw_mountinfo_proc_hidepid(const char *mountinfo);

/* Pure: can root without CAP_DAC_OVERRIDE create files in a directory
 * owned by uid with mode (write and search as owner, or for others)? */
bool fw_dir_writable_without_override(uid_t uid, mode_t mode);

/* Glue (sandbox.c, library fwsandbox: the tool and the examples). Enter
 * the plan: keep exactly the capabilities of fw_sandbox_caps in the
 * permitted and effective sets, clear the inheritable, ambient and
 * bounding sets, set no_new_privs. Applies to the calling thread: call it
 * while it is the only one. 0, or -1 with err. */
int fw_sandbox_drop_caps(const struct fw_sandbox_facts *f, char *err, size_t errlen);

/* Install the allow-list on every thread of the process (TSYNC); a syscall
 * outside it ends the process with exit_code and one line on stderr naming
 * the syscall. Returns how many syscalls it allows, or -1 with err. */
int fw_sandbox_seccomp(const struct fw_sandbox_facts *f, bool sanitized, int exit_code, char *err,
		       size_t errlen);

/* Facts read from this machine: CAP_BPF exists (cap_last_cap),
 * perf_event_paranoid, /proc's hidepid. The caller fills the rest. */
void fw_sandbox_read_facts(struct fw_sandbox_facts *f);

#endif
