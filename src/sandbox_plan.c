// SPDX-License-Identifier: GPL-2.0
/* What the watcher keeps once attached: the capabilities its remaining
 * work needs and the syscalls its steady state makes. Pure. */
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/capability.h>

#include "sandbox.h"

static size_t add(struct fw_sandbox_cap *out, size_t n, size_t max, int cap, const char *name,
		  const char *why)
{
	if (n < max) {
		out[n].cap = cap;
		out[n].name = name;
		out[n].why = why;
	}
	return n + 1;
}

size_t fw_sandbox_caps(const struct fw_sandbox_facts *f, struct fw_sandbox_cap *out, size_t max)
{
	size_t n = 0;

	if (f->cap_bpf_exists) {
		/* Kernels before 6.5 check it on every bpf() call while
		 * unprivileged BPF is off (Debian's default), map reads too. */
		n = add(out, n, max, CAP_BPF, "cap_bpf",
			"reads and writes the probe's maps every poll round (bpf())");
		/* Debian's kernels carry a patch that refuses perf_event_open
		 * without CAP_SYS_ADMIN at perf_event_paranoid 3 (their
		 * default), CAP_PERFMON notwithstanding. */
		if (f->attaches_later && f->perf_admin_only)
			n = add(out, n, max, CAP_SYS_ADMIN, "cap_sys_admin",
				"attaches the syscall exit tracepoints on demand (perf_event_open at "
				"perf_event_paranoid 3 needs it)");
		else if (f->attaches_later)
			n = add(out, n, max, CAP_PERFMON, "cap_perfmon",
				"attaches the syscall exit tracepoints on demand (perf_event_open)");
	} else {
		/* Before 5.8 both need CAP_SYS_ADMIN. */
		n = add(out, n, max, CAP_SYS_ADMIN, "cap_sys_admin",
			f->attaches_later ? "bpf() and perf_event_open (no CAP_BPF, CAP_PERFMON before 5.8)"
					  : "bpf() (no CAP_BPF before 5.8)");
	}
	if (f->kill_sweep)
		n = add(out, n, max, CAP_KILL, "cap_kill",
			"the sweep stops and kills a doomed lineage's quiet members, whoever owns them");
	if (f->proc_hidepid)
		n = add(out, n, max, CAP_SYS_PTRACE, "cap_sys_ptrace",
			"/proc is mounted with hidepid: other users' /proc/PID needs it");
	if (f->textfile_needs_dac)
		n = add(out, n, max, CAP_DAC_OVERRIDE, "cap_dac_override",
			"--metrics-textfile's directory is not writable by root as its owner");
	if (f->detaches_xdp)
		n = add(out, n, max, CAP_NET_ADMIN, "cap_net_admin",
			"detaches its XDP program from the interface at exit (rtnetlink)");
	return n;
}

/* Every syscall the watcher makes after attaching, grouped by who makes
 * it. Found with strace -f over --kill, --threads, --events, --opens,
 * --metrics-addr (scraped), --metrics-textfile and --json runs on both
 * probe paths, then read against the code: glibc's own choices (openat for
 * fopen, newfstatat, clock_nanosleep for usleep) are listed with their
 * older spellings so that another libc build does not trip it. */
static const char *const steady[] = {
	/* Files: the log, stdout, /proc and /sys reads, the textfile's
	 * write and rename, tracefs ids for on-demand attaches. */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "open",
	"openat", "stat", "fstat", "lstat", "newfstatat", "statx", "getdents64", "fcntl", "dup",
	"dup2", "dup3", "access", "faccessat", "faccessat2", "readlink", "readlinkat", "rename",
	"renameat", "renameat2", "unlink", "unlinkat", "fsync", "fdatasync", "ftruncate",
	/* An alert's cgroup by its id when no process is left to read. */
	"name_to_handle_at",
	/* libbcc: attach messages captured in a memfd; perf ioctls. */
	"memfd_create", "ioctl",
	/* Memory. */
	"mmap", "munmap", "mprotect", "mremap", "brk", "madvise",
	/* Time. */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	/* Signals: Ctrl-C, SIGTERM, SIGHUP; the sweep (pidfds, or kill before 5.3). */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall", "kill",
	"tgkill", "tkill", "pidfd_open", "pidfd_send_signal",
	/* Who and where: limits near a spawner, the summary. */
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "uname", "sysinfo",
	"getrusage", "getrlimit", "prlimit64", "sched_getaffinity", "sched_yield", "sched_getparam",
	"sched_getscheduler", "getrandom",
	/* Waiting: the ring or perf buffers; libmicrohttpd's thread. */
	"poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "eventfd2", "pipe2",
	/* libmicrohttpd serving on its socket, bound before the drop. */
	"accept", "accept4", "recvfrom", "recvmsg", "sendto", "sendmsg", "shutdown", "setsockopt",
	"getsockopt", "getsockname", "getpeername",
	/* Threads and the end. */
	"futex", "set_robust_list", "rseq", "exit", "exit_group",
	/* The probe: map reads and writes; on-demand attaches. */
	"bpf", "perf_event_open",
};

/* LeakSanitizer's check at exit runs in a clone that ptraces the process;
 * an ASan report forks llvm-symbolizer. Only in the sanitizer build. */
static const char *const sanitized_extra[] = {
	"clone", "clone3", "fork", "vfork", "execve", "wait4", "waitid", "ptrace", "prctl",
	"sched_setaffinity", "setrlimit", "pipe", "mincore",
};

/* fw-xdp-allow detaches its program at exit through rtnetlink. */
static const char *const netlink[] = {
	"socket", "bind", "getsockname", "setsockopt", "sendto", "sendmsg", "recvfrom", "recvmsg",
};

/* --syslog: glibc's syslog(3) sends on the socket openlog connected before
 * the filter; when the daemon restarts, the send fails and it connects a
 * new socket (socket(AF_UNIX) is allowed apart: fw_sandbox_socket_family). */
static const char *const syslog_calls[] = {
	"connect", "sendto",
};

static size_t put(const char **out, size_t n, size_t max, const char *const *names, size_t count)
{
	size_t i, j;
	bool listed;

	for (i = 0; i < count; i++) {
		listed = false;
		for (j = 0; j < n && j < max && !listed; j++)
			listed = strcmp(out[j], names[i]) == 0;
		if (listed)
			continue;
		if (n < max)
			out[n] = names[i];
		n++;
	}
	return n;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

size_t fw_sandbox_syscalls(const struct fw_sandbox_facts *f, bool sanitized, const char **out,
			   size_t max)
{
	size_t n = put(out, 0, max, steady, N(steady));

	if (f->detaches_xdp)
		n = put(out, n, max, netlink, N(netlink));
	if (f->sends_syslog)
		n = put(out, n, max, syslog_calls, N(syslog_calls));
	if (sanitized)
		n = put(out, n, max, sanitized_extra, N(sanitized_extra));
	return n;
}

int fw_sandbox_socket_family(const struct fw_sandbox_facts *f)
{
	return f->sends_syslog && !f->detaches_xdp ? AF_UNIX : -1;
}

/* A mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SOURCE SUPEROPTS". */
bool fw_mountinfo_proc_hidepid(const char *mountinfo)
{
	const char *line = mountinfo;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *dash = NULL, *p;

		for (p = line; p + 3 <= line + len; p++)
			if (p[0] == ' ' && p[1] == '-' && p[2] == ' ') {
				dash = p + 3;
				break;
			}
		if (dash && (size_t)(line + len - dash) > 5 && strncmp(dash, "proc ", 5) == 0) {
			/* The superblock options, after the source. */
			const char *src = dash + 5, *opts = memchr(src, ' ', (size_t)(line + len - src));

			while (opts && opts < line + len) {
				const char *o = opts + 1, *end = o;

				while (end < line + len && *end != ',' && *end != ' ')
					end++;
				if ((size_t)(end - o) > 8 && strncmp(o, "hidepid=", 8) == 0) {
					size_t vl = (size_t)(end - o - 8);
					const char *v = o + 8;

					if (!((vl == 1 && v[0] == '0') || (vl == 3 && strncmp(v, "off", 3) == 0)))
						return true;
				}
				opts = end < line + len ? end : NULL;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

bool fw_dir_writable_without_override(uid_t uid, mode_t mode)
{
	if (uid == 0)
		return (mode & (S_IWUSR | S_IXUSR)) == (S_IWUSR | S_IXUSR);
	/* Root is not the owner; as root without the override it is "other"
	 * unless its group matches, which a root daemon cannot count on. */
	return (mode & (S_IWOTH | S_IXOTH)) == (S_IWOTH | S_IXOTH);
}
