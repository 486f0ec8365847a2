// SPDX-License-Identifier: GPL-2.0
/* The sandbox plan: which capabilities a running watcher keeps for which
 * work, the syscall allow-list, and the facts read to decide them. */
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include <linux/capability.h>
#include <seccomp.h>

#include "check.h"
#include <sys/socket.h>

#include "sandbox.h"

/* The capabilities kept, as one bit mask. */
static unsigned long long kept(struct fw_sandbox_facts f)
{
	struct fw_sandbox_cap c[FW_SANDBOX_MAX_CAPS];
	size_t n = fw_sandbox_caps(&f, c, FW_SANDBOX_MAX_CAPS), i;
	unsigned long long mask = 0;

	CHECK(n <= FW_SANDBOX_MAX_CAPS);
	for (i = 0; i < n && i < FW_SANDBOX_MAX_CAPS; i++) {
		CHECK(c[i].name && strncmp(c[i].name, "cap_", 4) == 0);
		CHECK(c[i].why && c[i].why[0]);
		mask |= 1ULL << c[i].cap;
	}
	return mask;
}

#define BIT(c) (1ULL << (c))

static void test_caps(void)
{
	struct fw_sandbox_facts f = { .cap_bpf_exists = true };

	/* Kprobe path without containment: the maps only. */
	CHECK_EQ_U(kept(f), BIT(CAP_BPF));
	/* Returns attached on demand (tracepoint path). */
	f.attaches_later = true;
	CHECK_EQ_U(kept(f), BIT(CAP_BPF) | BIT(CAP_PERFMON));
	/* --kill: the sweep signals other users' processes. */
	f.kill_sweep = true;
	CHECK_EQ_U(kept(f), BIT(CAP_BPF) | BIT(CAP_PERFMON) | BIT(CAP_KILL));
	f.proc_hidepid = true;
	f.textfile_needs_dac = true;
	CHECK_EQ_U(kept(f), BIT(CAP_BPF) | BIT(CAP_PERFMON) | BIT(CAP_KILL) | BIT(CAP_SYS_PTRACE) |
				    BIT(CAP_DAC_OVERRIDE));
	/* perf_event_paranoid 3 on Debian's kernels: perf_event_open needs
	 * CAP_SYS_ADMIN, whatever CAP_PERFMON says. */
	f = (struct fw_sandbox_facts){ .cap_bpf_exists = true, .perf_admin_only = true };
	CHECK_EQ_U(kept(f), BIT(CAP_BPF));
	f.attaches_later = true;
	CHECK_EQ_U(kept(f), BIT(CAP_BPF) | BIT(CAP_SYS_ADMIN));
	/* Before 5.8 one capability stands for CAP_BPF and CAP_PERFMON. */
	f = (struct fw_sandbox_facts){ .attaches_later = true };
	CHECK_EQ_U(kept(f), BIT(CAP_SYS_ADMIN));
	f.kill_sweep = true;
	CHECK_EQ_U(kept(f), BIT(CAP_SYS_ADMIN) | BIT(CAP_KILL));
	/* Never anything that would undo the drop or reach outside the job. */
	f = (struct fw_sandbox_facts){ true, false, true, true, true, true, false, true };
	CHECK((kept(f) & (BIT(CAP_SETPCAP) | BIT(CAP_SETUID) | BIT(CAP_SYS_MODULE) | BIT(CAP_NET_ADMIN) |
			  BIT(CAP_SYS_ADMIN) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_SYS_NICE))) == 0);
	/* A short array: the count says how many there are. */
	{
		struct fw_sandbox_cap one[1];

		CHECK_EQ_U(fw_sandbox_caps(&f, one, 1), 5);
		CHECK_EQ_U(one[0].cap, CAP_BPF);
	}
	/* fw-xdp-allow: the maps, and the interface at exit. */
	f = (struct fw_sandbox_facts){ .cap_bpf_exists = true, .detaches_xdp = true };
	CHECK_EQ_U(kept(f), BIT(CAP_BPF) | BIT(CAP_NET_ADMIN));
}

static void test_syscalls(void)
{
	const char *list[FW_SANDBOX_MAX_SYSCALLS], *more[FW_SANDBOX_MAX_SYSCALLS],
		*xdp[FW_SANDBOX_MAX_SYSCALLS];
	struct fw_sandbox_facts f = { .cap_bpf_exists = true }, x = { .detaches_xdp = true };
	size_t n = fw_sandbox_syscalls(&f, false, list, FW_SANDBOX_MAX_SYSCALLS);
	size_t m = fw_sandbox_syscalls(&f, true, more, FW_SANDBOX_MAX_SYSCALLS);
	size_t k = fw_sandbox_syscalls(&x, false, xdp, FW_SANDBOX_MAX_SYSCALLS), i, j;
	int dups = 0, unknown = 0, forbidden = 0;

	CHECK(n > 50 && n < FW_SANDBOX_MAX_SYSCALLS);
	CHECK(m > n && m <= FW_SANDBOX_MAX_SYSCALLS);
	CHECK(k > n && k <= FW_SANDBOX_MAX_SYSCALLS);
	for (i = 0; i < m; i++) {
		/* Every name is a syscall libseccomp knows on x86_64 (a typo would
		 * silently allow nothing), and listed once. */
		unknown += seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, more[i]) == __NR_SCMP_ERROR;
		for (j = i + 1; j < m; j++)
			dups += strcmp(more[i], more[j]) == 0;
		if (i < n)
			CHECK_STR(more[i], list[i]);
	}
	CHECK_EQ_U(unknown, 0);
	CHECK_EQ_U(dups, 0);
	/* What the steady state must not do: start programs, load modules,
	 * change who it is, trace, open sockets. Those stay outside. */
	for (i = 0; i < n; i++)
		forbidden += strcmp(list[i], "execve") == 0 || strcmp(list[i], "execveat") == 0 ||
			     strcmp(list[i], "clone") == 0 || strcmp(list[i], "fork") == 0 ||
			     strcmp(list[i], "ptrace") == 0 || strcmp(list[i], "init_module") == 0 ||
			     strcmp(list[i], "setuid") == 0 || strcmp(list[i], "capset") == 0 ||
			     strcmp(list[i], "socket") == 0 || strcmp(list[i], "bind") == 0 ||
			     strcmp(list[i], "reboot") == 0; /* the test hook's refused call */
	CHECK_EQ_U(forbidden, 0);
	/* fw-xdp-allow's detach adds a netlink socket, and only that. */
	for (i = 0, j = 0; i < k; i++)
		j += strcmp(xdp[i], "socket") == 0 || strcmp(xdp[i], "bind") == 0;
	CHECK_EQ_U(j, 2);
	/* --syslog adds connect (a new /dev/log socket after the daemon
	 * restarts), never socket itself: that one is allowed for AF_UNIX
	 * only, by its argument. */
	{
		const char *lg[FW_SANDBOX_MAX_SYSCALLS];
		struct fw_sandbox_facts g = { .cap_bpf_exists = true, .sends_syslog = true };
		size_t l = fw_sandbox_syscalls(&g, false, lg, FW_SANDBOX_MAX_SYSCALLS);
		int connect = 0, sock = 0;

		CHECK_EQ_U(l, n + 1);
		for (i = 0; i < l; i++) {
			connect += strcmp(lg[i], "connect") == 0;
			sock += strcmp(lg[i], "socket") == 0 || strcmp(lg[i], "bind") == 0;
		}
		CHECK_EQ_U(connect, 1);
		CHECK_EQ_U(sock, 0);
		CHECK_EQ_U(fw_sandbox_socket_family(&g), AF_UNIX);
		CHECK(fw_sandbox_socket_family(&f) < 0);
		for (i = 0; i < n; i++)
			CHECK(strcmp(list[i], "connect") != 0);
	}
	/* A short array: the count says how many there are. */
	CHECK_EQ_U(fw_sandbox_syscalls(&f, false, list, 3), n);
	/* arm64 lacks the old spellings: sandbox.c skips them there (libseccomp
	 * gives them negative pseudo-numbers), they are not errors. */
	CHECK(seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, "open") < 0);
	CHECK(seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, "openat") >= 0);
}

static void test_hidepid(void)
{
	static const char plain[] =
		"22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
		"23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n";
	static const char hidden[] =
		"23 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
		"22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,hidepid=2\n";
	static const char named[] = "22 1 0:21 / /proc rw,relatime - proc proc rw,gid=4,hidepid=invisible\n";
	static const char off[] = "22 1 0:21 / /proc rw,relatime - proc proc rw,hidepid=0\n";
	static const char off_named[] = "22 1 0:21 / /proc rw - proc proc rw,hidepid=off,subset=pid\n";
	/* A container's /proc with more optional fields before the dash. */
	static const char fields[] =
		"901 900 0:52 / /proc rw,nosuid shared:400 master:12 - proc proc rw,hidepid=ptraceable\n";
	/* Not proc: an option named alike elsewhere does not count. */
	static const char other[] = "40 1 0:30 / /mnt rw - tmpfs hidepid=2 rw,hidepid=2\n";

	CHECK(!fw_mountinfo_proc_hidepid(plain));
	CHECK(fw_mountinfo_proc_hidepid(hidden));
	CHECK(fw_mountinfo_proc_hidepid(named));
	CHECK(!fw_mountinfo_proc_hidepid(off));
	CHECK(!fw_mountinfo_proc_hidepid(off_named));
	CHECK(fw_mountinfo_proc_hidepid(fields));
	CHECK(!fw_mountinfo_proc_hidepid(other));
	CHECK(!fw_mountinfo_proc_hidepid(""));
	CHECK(!fw_mountinfo_proc_hidepid("22 1 0:21 / /proc rw - proc"));
	CHECK(!fw_mountinfo_proc_hidepid(" - proc proc rw,hidepid="));
}

static void test_dirs(void)
{
	CHECK(fw_dir_writable_without_override(0, S_IFDIR | 0755));
	CHECK(!fw_dir_writable_without_override(0, S_IFDIR | 0555));
	/* node_exporter's textfile directory, owned by prometheus. */
	CHECK(!fw_dir_writable_without_override(110, S_IFDIR | 0755));
	CHECK(!fw_dir_writable_without_override(110, S_IFDIR | 0775));
	CHECK(fw_dir_writable_without_override(110, S_IFDIR | 01777)); /* /tmp */
}

int main(void)
{
	test_caps();
	test_syscalls();
	test_hidepid();
	test_dirs();
	CHECK_DONE();
}
