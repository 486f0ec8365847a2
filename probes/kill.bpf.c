/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Containment (--kill, --dry-run, --limit): compiled in only when asked for
 * (-DFW_KILL=1), so a watching-only run loads no signal-sending code and
 * needs no bpf_send_signal (5.3+).
 *
 * It acts on the model's verdicts (forkwatch_model.h), the same ones the
 * alerts report: the named root's lineage is doomed in `marks` and the
 * creating process, a member of it, dies at once. The probe can only
 * signal the task it runs in, so from then on every member dies at its
 * next fork (or failed fork), each new child as it returns from the
 * syscall that made it, and user space stops and kills the members that do
 * not fork. Nothing here waits for user space.
 *
 * Build-time switches (validated integers from user space):
 *   FW_ALLOW_CGROUP_IDS   --allow cgroup: entries exist (needs
 *                         bpf_get_current_ancestor_cgroup_id)
 */
#ifndef FW_EMBEDDED
#include "forkwatch_logic.h"
#include "common.bpf.h"
#endif

#ifdef FW_KILL
#define FW_SIGKILL 9

/* Indexed by FW_DOOMS_* (forkwatch_logic.h): while MADE == LIFTED +
 * DROPPED no doom is active, and nobody pays for looking. */
BPF_ARRAY(doom_count, u64, 3);
BPF_HASH(protected, u32, u8, 1024);            /* the tool and its ancestors */
/* Kernel threads found at start, one bit per pid: an exit clears its bit
 * without a hash operation on every exit. */
BPF_ARRAY(kthreads, u64, FW_KTHREAD_WORDS);

static __always_inline u64 *fw_kthread_word(u32 pid)
{
	u32 w = pid / 64;

	return kthreads.lookup(&w);
}

static __always_inline int fw_is_kthread(u32 pid)
{
	u64 *w = fw_kthread_word(pid);

	return w && ((*w >> (pid % 64)) & 1);
}

/* Process pid exited: a kernel thread's pid may go to anyone next. */
static __always_inline void fw_kthread_gone(u32 pid)
{
	u64 *w = fw_kthread_word(pid);

	if (w && ((*w >> (pid % 64)) & 1))
		*w &= ~(1ULL << (pid % 64));
}
BPF_HASH(allow_comm, struct fw_comm, u8, 256);
BPF_HASH(allow_uid, u32, u8, 256);
BPF_ARRAY(allow_cgroup, struct fw_allow_cgroup, FW_MAX_ALLOW_CGROUPS);
BPF_HASH(limits, struct fw_comm, u32, 256);    /* --limit COMM=N */

/* Which --allow covers the current task (enum fw_spared), or 0. */
static __always_inline u32 fw_allowed(const struct fw_config *cfg, u32 uid,
				      const struct fw_comm *comm)
{
	if ((cfg->allow & FW_ALLOW_COMM) && allow_comm.lookup((struct fw_comm *)comm))
		return FW_SPARED_COMM;
	if ((cfg->allow & FW_ALLOW_UID) && allow_uid.lookup(&uid))
		return FW_SPARED_UID;
#ifdef FW_ALLOW_CGROUP_IDS
	if (cfg->allow & FW_ALLOW_CGROUP) {
		int i;

#pragma unroll
		for (i = 0; i < FW_MAX_ALLOW_CGROUPS; i++) {
			u32 key = i;
			struct fw_allow_cgroup *c = allow_cgroup.lookup(&key);

			if (c && c->id && bpf_get_current_ancestor_cgroup_id(c->level) == c->id)
				return FW_SPARED_CGROUP;
		}
	}
#endif
	return FW_SPARED_NONE;
}

/* Which --allow covers a named root, from its record: its command and user
 * (its cgroup is checked on the current task, a member of its lineage). */
static __always_inline u32 fw_allowed_root(const struct fw_config *cfg, const struct fw_alert *a)
{
	struct fw_comm comm = {};
	u32 uid;

	if (cfg->allow & FW_ALLOW_COMM) {
		__builtin_memcpy(comm.name, a->root_comm, sizeof(comm.name));
		if (allow_comm.lookup(&comm))
			return FW_SPARED_COMM;
	}
	if ((cfg->allow & FW_ALLOW_UID) && a->root_created_ns) {
		u32 root = a->root;
		struct fw_proc *r = fw_store_get(root);

		uid = r ? r->uid : 0;
		if (r && allow_uid.lookup(&uid))
			return FW_SPARED_UID;
	}
	return FW_SPARED_NONE;
}

static __always_inline int fw_never_killed(u32 tgid)
{
	return tgid <= 2 || protected.lookup(&tgid) || fw_is_kthread(tgid);
}

static __always_inline int fw_dooms_active(void)
{
	u32 made = FW_DOOMS_MADE, lifted = FW_DOOMS_LIFTED, dropped = FW_DOOMS_DROPPED;
	u64 *m = doom_count.lookup(&made), *l = doom_count.lookup(&lifted);
	u64 *d = doom_count.lookup(&dropped);

	return m && l && d && *m != *l + *d;
}

/* Kills the current task (dry run: counts it). d: the doom it dies for. */
static __always_inline int fw_kill_self(const struct fw_config *cfg, u32 reason, struct fw_doom *d)
{
	if (!(cfg->kill & FW_KILL_DRY_RUN) && bpf_send_signal(FW_SIGKILL) < 0) {
		fw_stat(FW_STAT_KILLS_FAILED);
		return -1;
	}
	fw_stat(FW_STAT_KILLS + reason);
	fw_hot(bpf_ktime_get_ns()); /* the lineage's next children: their first return */
	if (d)
		FW_ADD(&d->killed, 1);
	return 0;
}

/* Is the current task (tgid, uid) never to be killed? Its cause, or 0. */
static __always_inline u32 fw_exempt_self(const struct fw_config *cfg, u32 tgid, u32 uid)
{
	struct fw_comm comm = {};

	bpf_get_current_comm(&comm.name, sizeof(comm.name));
	return fw_kill_exempt(tgid, fw_is_kthread(tgid), protected.lookup(&tgid) != NULL,
			      fw_allowed(cfg, uid, &comm));
}

/* A verdict a (rule, root, how much a doom covers) reached by the current
 * task (tgid, record cur): what containment does about it. With --kill the
 * root's lineage is doomed and the current task, a member of it, dies.
 * Rate verdicts only report. Returns 0 to report the verdict, -1 when the
 * root was doomed already (nothing new to say). */
static __always_inline int fw_contain(const struct fw_config *cfg, struct fw_alert *a, u32 tgid,
				      const struct fw_proc *cur)
{
	struct fw_doom d = {}, *dm;
	u32 root = a->root, spared;

	a->action = FW_ACT_REPORT;
	if (!(cfg->kill & FW_KILL_ARMED) || a->kind == FW_RULE_RATE || a->kind == FW_RULE_THREADS)
		return 0;
	/* The root's exemptions, then those of the member that named it (its
	 * cgroup, or a command or user the root's record does not show). */
	spared = fw_kill_exempt(root, fw_is_kthread(root),
				protected.lookup(&root) != NULL, fw_allowed_root(cfg, a));
	if (!spared)
		spared = fw_exempt_self(cfg, tgid, a->uid);
	if (!spared && a->kind == FW_RULE_SPAWNER && !a->whole)
		spared = FW_SPARED_ESTABLISHED; /* a server at its limit: reported, not killed */
	if (spared) {
		a->action = FW_ACT_SPARED;
		a->spared = spared;
		fw_stat(FW_STAT_SPARED + spared);
		return 0;
	}
	d.since_ns = a->doomed_since_ns;
	d.whole = a->whole;
	if (marks.insert(&root, &d) != 0)
		return -1;
	{
		u32 made = FW_DOOMS_MADE;
		u64 *m = doom_count.lookup(&made);

		if (m)
			FW_ADD(m, 1);
	}
	fw_stat(FW_STAT_DOOMED);
	a->action = (cfg->kill & FW_KILL_DRY_RUN) ? FW_ACT_DRY_RUN : FW_ACT_KILL;
	/* The current task dies with the lineage it belongs to, unless the
	 * doom does not cover it (an established root's own older line). */
	dm = marks.lookup(&root);
	if (!cur || !fw_doom_covers(dm, cur->created_ns, tgid == root))
		return 0;
	if (fw_exempt_self(cfg, tgid, a->uid))
		return 0;
	fw_kill_self(cfg, a->kind, dm);
	return 0;
}

/* A process was just created by the current task (tgid, record creator;
 * the child's: child). A member of a doomed lineage dies at its fork, and
 * its child is doomed too; a process past its --limit dies. Returns the
 * kill reason reported as a limit kill (FW_RULE_LIMIT), or 0. */
static __always_inline u32 fw_kill_check_fork(const struct fw_config *cfg, u32 tgid, u32 uid,
					      struct fw_proc *creator, u32 child)
{
	struct fw_kill_facts facts = {};
	struct fw_doom *d = NULL;
	u32 reason = 0;

	/* A new process starts undoomed, whatever the last holder of its pid
	 * was (looked at only while dooms are active). */
	if (fw_dooms_active() && marks.delete(&child) == 0) {
		u32 dropped = FW_DOOMS_DROPPED;
		u64 *d = doom_count.lookup(&dropped);

		if (d)
			FW_ADD(d, 1);
	}
	if (!creator)
		return 0;
	if ((cfg->kill & FW_KILL_ARMED) && fw_dooms_active()) {
		d = fw_doom_of(tgid, creator);
		facts.doomed = d != NULL;
	}
	if (cfg->kill & FW_KILL_LIMITS) {
		struct fw_comm comm = {};
		u32 *limit;

		bpf_get_current_comm(&comm.name, sizeof(comm.name));
		limit = limits.lookup(&comm);
		if (limit) {
			facts.limited = 1;
			facts.limit = *limit;
			facts.children = creator->children;
		}
	}
	if (!fw_kill_reason_for(cfg, &facts, &reason))
		return 0;
	if (reason == FW_KILL_LINEAGE) {
		struct fw_proc *c = fw_store_get(child);

		if (c)
			c->flags |= FW_PROC_DOOMED;
	}
	if (fw_exempt_self(cfg, tgid, uid)) {
		fw_stat(FW_STAT_SPARED + fw_exempt_self(cfg, tgid, uid));
		return 0;
	}
	if (fw_kill_self(cfg, reason, d) < 0 || reason != FW_RULE_LIMIT || creator->kill_reported)
		return 0;
	creator->kill_reported = 1;
	return FW_RULE_LIMIT;
}

/* A creation by the current task failed; a doomed member dies for trying. */
static __always_inline void fw_kill_check_failed(const struct fw_config *cfg, u32 tgid, u32 uid,
						 const struct fw_proc *rec)
{
	struct fw_doom *d;

	if (!rec || !(cfg->kill & FW_KILL_ARMED) || !fw_dooms_active())
		return;
	d = fw_doom_of(tgid, rec);
	if (d && !fw_exempt_self(cfg, tgid, uid))
		fw_kill_self(cfg, FW_KILL_LINEAGE, d);
}

/* A new task's first return from the syscall that made it (a thread's
 * too: a doomed process dies whole): a doomed child dies before it runs a
 * line of its own, else each killed member would hand the bomb on. */
static __always_inline void fw_kill_check_start(const struct fw_config *cfg, u32 tgid, u32 uid)
{
	struct fw_proc *rec;
	struct fw_doom *d = NULL;

	if (!(cfg->kill & FW_KILL_ARMED) || !fw_dooms_active())
		return;
	rec = fw_store_get(tgid);
	if (!rec)
		return;
	if (!(rec->flags & FW_PROC_DOOMED)) {
		d = fw_doom_of(tgid, rec);
		if (!d)
			return;
	}
	if (!fw_exempt_self(cfg, tgid, uid))
		fw_kill_self(cfg, FW_KILL_LINEAGE, d);
}

/* A thread storm past twice --thread-threshold (with --threads): the
 * process dies with its threads. Returns 1 to report it (the first time). */
static __always_inline int fw_kill_check_thread(const struct fw_config *cfg, u32 tgid, u32 uid,
						struct fw_proc *f, u32 rate)
{
	if (!(cfg->kill & FW_KILL_ARMED) || !cfg->kill_thread || rate < cfg->kill_thread)
		return 0;
	if (fw_exempt_self(cfg, tgid, uid)) {
		fw_stat(FW_STAT_SPARED + fw_exempt_self(cfg, tgid, uid));
		return 0;
	}
	if (fw_kill_self(cfg, FW_RULE_THREADS, NULL) < 0 || f->kill_reported)
		return 0;
	f->kill_reported = 1;
	return 1;
}
#endif /* FW_KILL */
