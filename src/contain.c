// SPDX-License-Identifier: GPL-2.0
/* Containment glue: exemption and limit maps, real-time priority, and the
 * sweep of a lineage the probe doomed. */
#define _GNU_SOURCE
#include "contain.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bcc/libbpf.h>

#include "session.h"
#include "spawn_limits.h"
#include "util.h"

#define SWEEP_BATCH 512            /* pidfds held at once */
#define SWEEP_MAX_NS 5000000000ULL /* give up after this (reported) */
#define SWEEP_QUIET_PASSES 3       /* empty passes, 2 ms apart, that end it */
#define SWEEP_PAUSE_US 1000        /* between passes: the killed need a CPU to die on */
#define RT_PRIORITY 10             /* SCHED_FIFO: above every normal task, below the kernel's own */
#define PF_KTHREAD 0x00200000      /* /proc/PID/stat flags: a kernel thread */

int fw_contain_resolve(struct fw_session *s, char *err, size_t errlen)
{
	char mnt[4096], full[8192];
	size_t i, mlen;

	if (!s->opt.n_allow_cgroup)
		return 0;
	if (fw_cgroup2_mount(mnt, sizeof(mnt)) < 0) {
		snprintf(err, errlen, "--allow cgroup: needs a cgroup v2 mount; none is mounted");
		return -1;
	}
	mlen = strlen(mnt);
	for (i = 0; i < s->opt.n_allow_cgroup; i++) {
		const char *arg = s->opt.allow_cgroup[i], *rel = arg;
		struct fw_cgroup_allow *c = &s->cgroups[i];
		struct stat st;

		/* Either the directory on the mount or the path below it. */
		if (!strncmp(arg, mnt, mlen) && (arg[mlen] == '/' || !arg[mlen]))
			rel = arg[mlen] ? arg + mlen : "/";
		snprintf(full, sizeof(full), "%s%s", mnt, rel);
		if (stat(full, &st) < 0 || !S_ISDIR(st.st_mode) || fw_cgroup_id_at(AT_FDCWD, full, &c->id) < 0) {
			snprintf(err, errlen, "invalid --allow cgroup:%s: no such cgroup (%s: %s)", arg,
				 full, strerror(errno ? errno : ENOTDIR));
			return -1;
		}
		snprintf(c->rel, sizeof(c->rel), "%s", rel);
		c->level = fw_cgroup_rel_level(c->rel);
	}
	return 0;
}

static int map_put(struct fw_session *s, const char *name, const void *key, const void *val)
{
	int fd = fw_bpf_table_fd(&s->bpf, name);

	return fd < 0 ? -1 : bpf_update_elem(fd, (void *)key, (void *)val, 0);
}

/* /proc/PID/stat: the flags word (field 9), or 0. */
static unsigned long proc_flags(uint32_t pid)
{
	char path[64], buf[1024];
	unsigned long flags;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (fw_read_small_file(path, buf, sizeof(buf)) <= 0 || fw_stat_flags(buf, &flags) < 0)
		return 0;
	return flags;
}

/* The kernel threads that exist now (those made later descend from
 * kthreadd, which the probe sees). Returns how many, or -1. */
static int seed_kthreads(struct fw_session *s)
{
	static uint64_t words[FW_KTHREAD_WORDS];
	int fd = fw_bpf_table_fd(&s->bpf, "kthreads");
	DIR *d = opendir("/proc");
	struct dirent *e;
	uint32_t w;
	int n = 0;

	if (!d || fd < 0) {
		if (d)
			closedir(d);
		return -1;
	}
	memset(words, 0, sizeof(words));
	while ((e = readdir(d))) {
		uint64_t pid;

		if (fw_parse_uint(e->d_name, 1, (uint64_t)FW_KTHREAD_WORDS * 64 - 1, &pid) < 0 ||
		    !(proc_flags((uint32_t)pid) & PF_KTHREAD))
			continue;
		words[pid / 64] |= 1ULL << (pid % 64);
		n++;
	}
	closedir(d);
	for (w = 0; w < FW_KTHREAD_WORDS; w++)
		if (words[w] && bpf_update_elem(fd, &w, &words[w], 0) < 0)
			return -1;
	return n;
}

int fw_contain_setup(struct fw_session *s)
{
	const struct fw_options *o = &s->opt;
	uint32_t pid = (uint32_t)getpid();
	uint8_t one = 1;
	size_t i;

	s->marks_fd = fw_bpf_table_fd(&s->bpf, "marks");
	s->doom_count_fd = fw_bpf_table_fd(&s->bpf, "doom_count");
	if (s->marks_fd < 0 || s->doom_count_fd < 0 || seed_kthreads(s) < 0)
		return -1;
	/* The tool and every ancestor up to pid 1: killing one could end the
	 * tool, or the session an operator runs it from. */
	while (pid > 1 && s->n_protected < sizeof(s->protected_pids) / sizeof(s->protected_pids[0])) {
		s->protected_pids[s->n_protected++] = pid;
		if (map_put(s, "protected", &pid, &one) < 0)
			return -1;
		pid = fw_proc_ppid(pid);
	}
	for (i = 0; i < o->n_allow_comm; i++) {
		struct fw_comm c = { { 0 } };

		memcpy(c.name, o->allow_comm[i], sizeof(c.name));
		if (map_put(s, "allow_comm", &c, &one) < 0)
			return -1;
	}
	for (i = 0; i < o->n_allow_uid; i++)
		if (map_put(s, "allow_uid", &o->allow_uid[i], &one) < 0)
			return -1;
	for (i = 0; i < o->n_allow_cgroup; i++) {
		struct fw_allow_cgroup c = { .id = s->cgroups[i].id, .level = s->cgroups[i].level };
		uint32_t key = (uint32_t)i;

		if (map_put(s, "allow_cgroup", &key, &c) < 0)
			return -1;
	}
	for (i = 0; i < o->n_limits; i++) {
		struct fw_comm c = { { 0 } };

		memcpy(c.name, o->limits[i].comm, sizeof(c.name));
		if (map_put(s, "limits", &c, &o->limits[i].children) < 0)
			return -1;
	}
	return 0;
}

void fw_contain_realtime(struct fw_session *s, char *desc, size_t len)
{
	struct sched_param sp = { .sched_priority = RT_PRIORITY };

	desc[0] = '\0';
	if (!s->opt.kill)
		return; /* limits are enforced by the probe alone */
	/* A bomb makes thousands of runnable tasks: at a normal priority the
	 * sweep would get a sliver of a CPU. This thread only (not the metrics
	 * server's), and not what it might start. */
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0) {
		snprintf(desc, len, "; sweeps at real-time priority (SCHED_FIFO %d)", RT_PRIORITY);
		return;
	}
	fprintf(stderr, FW_PROG ": warning: cannot take real-time priority (%s); sweeps run at "
		"nice -20 and may lag behind a large bomb (the probe's own kills do not)\n",
		strerror(errno));
	setpriority(PRIO_PROCESS, 0, -20);
}

/* The same exemptions as the probe's, from /proc, for the sweep. Kernel
 * threads are never members (kthreadd makes them, and its tree is never
 * swept); a tree root is checked for that apart. */
static int exempt_pid(const struct fw_session *s, uint32_t pid)
{
	char path[64], buf[4096], comm[FW_COMM_LEN + 1];
	size_t i;

	if (pid <= 2)
		return 1;
	for (i = 0; i < s->n_protected; i++)
		if (s->protected_pids[i] == pid)
			return 1;
	if (s->opt.n_allow_comm) {
		snprintf(path, sizeof(path), "/proc/%u/comm", pid);
		if (fw_read_small_file(path, comm, sizeof(comm)) > 0) {
			comm[strcspn(comm, "\n")] = '\0';
			for (i = 0; i < s->opt.n_allow_comm; i++)
				if (!strcmp(comm, s->opt.allow_comm[i]))
					return 1;
		}
	}
	if (s->opt.n_allow_uid) {
		uint32_t uid;

		snprintf(path, sizeof(path), "/proc/%u/status", pid);
		if (fw_read_small_file(path, buf, sizeof(buf)) > 0 && fw_status_uid(buf, &uid) == 0)
			for (i = 0; i < s->opt.n_allow_uid; i++)
				if (s->opt.allow_uid[i] == uid)
					return 1;
	}
	if (s->opt.n_allow_cgroup) {
		char *cg = NULL;

		snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
		if (fw_read_small_file(path, buf, sizeof(buf)) > 0)
			cg = fw_cgroup_v2_path(buf);
		for (i = 0; cg && i < s->opt.n_allow_cgroup; i++)
			if (fw_cgroup_within(cg, s->cgroups[i].rel))
				return 1;
	}
	return 0;
}

/* Killed-pid set for one episode: open addressing, never full in practice
 * (a bomb dies long before 65536 members); when it is, counts may double. */
#define KILLED_SLOTS 65536
struct killed_set {
	uint32_t *slot;
	size_t n;
};

static int killed_has(struct killed_set *k, uint32_t pid, int add)
{
	size_t i, h = (pid * 2654435761u) & (KILLED_SLOTS - 1);

	for (i = 0; i < KILLED_SLOTS; i++, h = (h + 1) & (KILLED_SLOTS - 1)) {
		if (k->slot[h] == pid)
			return 1;
		if (k->slot[h] == 0) {
			if (add && k->n < KILLED_SLOTS - 1) {
				k->slot[h] = pid;
				k->n++;
			}
			return 0;
		}
	}
	return 0;
}

static int pidfd_open(uint32_t pid)
{
	return (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
}

static int pidfd_signal(int fd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

/* Is pid still the member we listed? After pidfd_open the fd pins the
 * process, so a pid reused in between shows as a changed or missing record. */
static int same_member(const struct fw_session *s, const struct fw_member *m)
{
	struct fw_proc rec;

	return fw_record_get(s, m->tgid, &rec) == 0 && rec.created_ns == m->created_ns;
}

/* Stops a batch, then kills it: a stopped member cannot fork while its
 * siblings are being killed. Returns how many were killed. */
static uint32_t stop_then_kill(const struct fw_session *s, struct fw_member *batch, size_t n,
			       struct killed_set *done)
{
	int fds[SWEEP_BATCH];
	uint32_t killed = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		fds[i] = pidfd_open(batch[i].tgid);
		if (fds[i] < 0 && errno == ENOSYS) {
			fds[i] = -2; /* before 5.3: plain kill() after the check */
			if (same_member(s, &batch[i]))
				kill((pid_t)batch[i].tgid, SIGSTOP);
			continue;
		}
		if (fds[i] >= 0 && (!same_member(s, &batch[i]) || pidfd_signal(fds[i], SIGSTOP) < 0)) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	for (i = 0; i < n; i++) {
		int ok = 0;

		if (fds[i] >= 0) {
			ok = pidfd_signal(fds[i], SIGKILL) == 0;
			close(fds[i]);
		} else if (fds[i] == -2) {
			ok = same_member(s, &batch[i]) && kill((pid_t)batch[i].tgid, SIGKILL) == 0;
		}
		if (ok && !killed_has(done, batch[i].tgid, 1))
			killed++;
	}
	return killed;
}

/* Lists the members to end now: in the doomed lineage, alive, not yet
 * killed, not exempt. */
static size_t sweep_list(struct fw_session *s, const struct fw_alert *a, struct killed_set *done)
{
	long n = fw_read_members(s);
	size_t sel, i, k = 0;

	if (n <= 0 || a->root == 2)
		return 0; /* kthreadd's: kernel threads */
	sel = fw_lineage_select(s->members, (size_t)n, a->root, a->doomed_since_ns, a->whole);
	for (i = 0; i < sel; i++)
		if (!killed_has(done, s->members[i].tgid, 0) && !exempt_pid(s, s->members[i].tgid))
			s->members[k++] = s->members[i];
	return k;
}

/* The doom on root ends: new processes under it live again. */
static void lift_doom(struct fw_session *s, uint32_t root)
{
	uint32_t lifted = FW_DOOMS_LIFTED;

	if (bpf_delete_elem(s->marks_fd, &root) == 0) {
		s->dooms_lifted++;
		bpf_update_elem(s->doom_count_fd, &lifted, &s->dooms_lifted, 0);
	}
}

void fw_contain_episode(struct fw_session *s, struct fw_report *r)
{
	const struct fw_alert *a = r->alert;
	struct killed_set done = { 0 };
	struct fw_doom doom;
	uint64_t deadline, last_kill_ns = 0;
	int quiet = 0;

	r->killed_kernel = 0;
	done.slot = calloc(KILLED_SLOTS, sizeof(*done.slot));
	if (!done.slot)
		return;
	if (r->dry_run) {
		r->killed_sweep = (uint32_t)sweep_list(s, a, &done);
		if (bpf_lookup_elem(s->marks_fd, (void *)&a->root, &doom) == 0)
			r->killed_kernel = doom.killed;
		lift_doom(s, a->root); /* it would be named again, and reported so */
		free(done.slot);
		return;
	}
	deadline = fw_mono_ns() + SWEEP_MAX_NS;
	while (quiet < SWEEP_QUIET_PASSES && fw_mono_ns() < deadline) {
		size_t n = sweep_list(s, a, &done), i;

		if (n == 0) {
			quiet++;
			usleep(2000);
			continue;
		}
		quiet = 0;
		for (i = 0; i < n; i += SWEEP_BATCH)
			r->killed_sweep += stop_then_kill(s, s->members + i,
							  n - i < SWEEP_BATCH ? n - i : SWEEP_BATCH,
							  &done);
		last_kill_ns = fw_mono_ns();
		usleep(SWEEP_PAUSE_US);
	}
	if (bpf_lookup_elem(s->marks_fd, (void *)&a->root, &doom) == 0)
		r->killed_kernel = doom.killed;
	if (quiet < SWEEP_QUIET_PASSES)
		fprintf(stderr, FW_PROG ": warning: root %u: members still appearing after %llu s; "
			"the probe keeps killing them at their next fork\n", a->root,
			SWEEP_MAX_NS / 1000000000ULL);
	else
		lift_doom(s, a->root); /* contained: the root (if it lives on) may fork again */
	/* From the verdict to the last member found (the quiet passes that
	 * confirm it are not counted). */
	if (!last_kill_ns)
		last_kill_ns = fw_mono_ns() - SWEEP_QUIET_PASSES * 2000000ULL;
	r->took_ms = last_kill_ns > a->ts_ns ? (double)(last_kill_ns - a->ts_ns) / 1e6 : 0;
	__atomic_add_fetch(&s->killed_sweep, r->killed_sweep, __ATOMIC_RELAXED); /* metrics read it */
	free(done.slot);
}
