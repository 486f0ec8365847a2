/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Containment (--kill, --dry-run, --limit): compiled in only when asked for
 * (-DFW_KILL=1), so a watching-only run loads no signal-sending code and
 * needs no bpf_send_signal (5.3+).
 *
 * The probe can only signal the task it runs in, so a process is killed at
 * its next fork: task:task_newtask runs in the creator. A creator found
 * guilty is sent SIGKILL and marked doomed in `marks` with the child it just
 * made; the child dies as it starts, every other descendant of a doomed
 * process at its own next fork, and user space sweeps the members that stay
 * quiet. Which lineage may die over the burst kill threshold is named by
 * user space at the alert (marked armed).
 *
 * Build-time switches (validated integers from user space):
 *   FW_ALLOW_CGROUP_IDS   --allow cgroup: entries exist (needs
 *                         bpf_get_current_ancestor_cgroup_id)
 *   FW_TP_CHILD_<CALL>    syscalls:sys_exit_<call> exists (clone, clone3,
 *                         fork, vfork): marked children die as they start
 */
#ifndef FW_EMBEDDED
#include "forkwatch_logic.h"
#include "common.bpf.h"
#endif

#ifdef FW_KILL
#define FW_SIGKILL 9

#ifndef FW_MAX_DOOMED
#define FW_MAX_DOOMED 32768
#endif

BPF_HASH(marks, u32, u8, FW_MAX_DOOMED);       /* tgid -> FW_MARK_*, for it and its descendants */
BPF_HASH(protected, u32, u8, 1024);            /* the tool and its ancestors */
BPF_HASH(allow_comm, struct fw_comm, u8, 256);
BPF_HASH(allow_uid, u32, u8, 256);
BPF_ARRAY(allow_cgroup, struct fw_allow_cgroup, FW_MAX_ALLOW_CGROUPS);
BPF_HASH(limits, struct fw_comm, u32, 256);    /* --limit COMM=N */

static __always_inline int fw_allowed(const struct fw_config *cfg, u32 uid,
				      const struct fw_comm *comm)
{
	if ((cfg->allow & FW_ALLOW_COMM) && allow_comm.lookup((struct fw_comm *)comm))
		return 1;
	if ((cfg->allow & FW_ALLOW_UID) && allow_uid.lookup(&uid))
		return 1;
#ifdef FW_ALLOW_CGROUP_IDS
	if (cfg->allow & FW_ALLOW_CGROUP) {
		int i;

#pragma unroll
		for (i = 0; i < FW_MAX_ALLOW_CGROUPS; i++) {
			u32 key = i;
			struct fw_allow_cgroup *c = allow_cgroup.lookup(&key);

			if (c && c->id && bpf_get_current_ancestor_cgroup_id(c->level) == c->id)
				return 1;
		}
	}
#endif
	return 0;
}

static __always_inline u32 fw_mark_at(u32 tgid)
{
	u8 *m = marks.lookup(&tgid);

	return m ? *m : 0;
}

/* The highest mark on the creator or an ancestor of it, from the new
 * child's record: top[depth - 1] is the child itself, the ones above are
 * its ancestors. So a mark reaches descendants of a process within
 * FW_TOP_DEPTH levels of its tree root (a doomed creator's children are
 * marked themselves, at any depth). */
static __always_inline u32 fw_mark_of(u32 tgid, const struct fw_proc *child)
{
	u32 mark = fw_mark_at(tgid), m;
	int i;

#pragma unroll
	for (i = 0; i < FW_TOP_DEPTH; i++) {
		u32 anc = child->top[i];

		if ((u32)i + 1 < child->depth && anc && anc != tgid) {
			m = fw_mark_at(anc);
			if (m > mark)
				mark = m;
		}
	}
	return mark;
}

/* The decision is made: unless the creator is exempt, SIGKILL it (dry run:
 * only count and report), mark it and its new child, and report the first
 * kill of a tree per window (limit and thread kills: once per process). */
static __always_inline void fw_kill(void *ctx, const struct fw_config *cfg, u64 now, u64 id,
				    u32 child, u32 syscall, u32 reason, u32 figure, u32 threshold,
				    const struct fw_proc *creator, struct fw_tree *t,
				    struct fw_forker *f)
{
	u32 tgid = id >> 32, uid = (u32)bpf_get_current_uid_gid();
	u32 root = creator ? creator->root : tgid;
	struct fw_comm comm = {};
	struct fw_alert a = {};
	u8 doom = FW_MARK_DOOMED;

	bpf_get_current_comm(&comm.name, sizeof(comm.name));
	if (fw_kill_exempt(tgid, root, protected.lookup(&tgid) != NULL,
			   fw_allowed(cfg, uid, &comm))) {
		fw_stat(FW_STAT_KILLS_SPARED);
		return;
	}
	if (!(cfg->kill & FW_KILL_DRY_RUN) && bpf_send_signal(FW_SIGKILL) < 0) {
		fw_stat(FW_STAT_KILLS_FAILED);
		return;
	}
	fw_stat(FW_STAT_KILLS + reason);
	if (reason != FW_KILL_LIMIT && reason != FW_KILL_THREADS) {
		marks.update(&tgid, &doom);
		if (child && child != tgid)
			marks.update(&child, &doom);
	}
	if (t)
		FW_ADD(&t->killed, 1);
	if (reason == FW_KILL_LIMIT || reason == FW_KILL_THREADS || !t) {
		if (!f || f->kill_reported)
			return;
		f->kill_reported = 1;
	} else {
		u32 suppressed = 0;

		if (!fw_ratelimit_pass(&t->kill_rl, now, cfg->window_ns, &suppressed))
			return;
		a.suppressed = suppressed;
	}
	a.ts_ns = now;
	a.kind = FW_ALERT_KILL;
	a.reason = reason;
	a.pid = (u32)id;
	a.tgid = tgid;
	a.uid = uid;
	a.child = child;
	a.syscall = syscall;
	a.count = figure;
	a.threshold = threshold;
	a.root = root;
	a.ppid = creator ? creator->ppid : 0;
	if (t) {
		a.killed = t->killed;
		a.live = t->live > 0 ? t->live : 0;
		a.burst_created = t->burst_created;
	} else {
		a.killed = 1;
	}
	__builtin_memcpy(a.comm, comm.name, sizeof(a.comm));
	if (alerts.perf_submit(ctx, &a, sizeof(a)) < 0)
		fw_stat(FW_STAT_ALERTS_LOST);
}

/* A process was just created by tgid (record of the child: rec). */
static __always_inline void fw_kill_check_process(void *ctx, const struct fw_config *cfg,
						  u64 now, u64 id, u32 child, u32 syscall,
						  const struct fw_proc *creator,
						  const struct fw_proc *rec, struct fw_tree *t,
						  struct fw_forker *f, s32 burst_live, u32 rate)
{
	struct fw_kill_facts facts = {};
	u32 tgid = id >> 32, reason, figure = rate, threshold = cfg->kill_proc;

	/* A new process starts unmarked, whatever a process that had its pid
	 * before was marked with. */
	marks.delete(&child);
	if (cfg->kill & FW_KILL_ARMED) {
		facts.mark = fw_mark_of(tgid, rec);
		/* An armed lineage counts the whole tree: a burst re-bases when a
		 * bomb stalls at pids.max for a window. */
		facts.tree_live = burst_live > 0 ? burst_live : 0;
		if (facts.mark >= FW_MARK_ARMED && t->live > (s32)facts.tree_live)
			facts.tree_live = t->live;
		facts.rate = rate;
	}
	if ((cfg->kill & FW_KILL_LIMITS) && f) {
		struct fw_comm comm = {};
		u32 *limit;

		bpf_get_current_comm(&comm.name, sizeof(comm.name));
		limit = limits.lookup(&comm);
		if (limit) {
			facts.limited = 1;
			facts.limit = *limit;
			facts.children = f->children;
		}
	}
	reason = fw_kill_reason_for(cfg, &facts);
	if (reason == FW_KILL_NONE)
		return;
	if (reason == FW_KILL_TREE || reason == FW_KILL_LINEAGE) {
		figure = facts.tree_live;
		threshold = cfg->kill_tree;
	} else if (reason == FW_KILL_LIMIT) {
		figure = facts.children;
		threshold = facts.limit;
	}
	fw_kill(ctx, cfg, now, id, child, syscall, reason, figure, threshold, creator, t, f);
}

/* Returns from the creation syscalls. A new child's first act is to
 * return from the syscall that made it: a doomed child dies there, before
 * any code of its own runs (else each killed member would hand the bomb on
 * to the child it just made). A failed creation (pids.max, RLIMIT_NPROC)
 * fires no task_newtask, so a bomb that filled its cgroup is killed here,
 * at its next try. */
static __always_inline int fw_creation_return(void *ctx, long ret)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, mark, root, reason, figure;
	struct fw_config *cfg = fw_config_get();
	struct fw_proc *rec;
	struct fw_tree *t;

	if (!cfg || ret > 0)
		return 0; /* the creator's successful return: task_newtask saw it */
	if (ret == 0) {
		if (fw_mark_at(tgid) < FW_MARK_DOOMED)
			return 0;
		if (!(cfg->kill & FW_KILL_DRY_RUN) && bpf_send_signal(FW_SIGKILL) < 0) {
			fw_stat(FW_STAT_KILLS_FAILED);
			return 0;
		}
		fw_stat(FW_STAT_KILLS + FW_KILL_LINEAGE);
		rec = procs.lookup(&tgid);
		if (rec) {
			root = rec->root;
			t = trees.lookup(&root);
			if (t)
				FW_ADD(&t->killed, 1);
		}
		return 0;
	}
	if (!(cfg->kill & FW_KILL_ARMED) || !(rec = procs.lookup(&tgid)))
		return 0;
	root = rec->root;
	t = trees.lookup(&root);
	if (!t)
		return 0;
	/* Its own record lists its ancestors above it, as a child's does. */
	mark = fw_mark_of(tgid, rec);
	if (mark >= FW_MARK_DOOMED) {
		reason = FW_KILL_LINEAGE;
		figure = t->burst_live > 0 ? t->burst_live : 0;
	} else if (mark >= FW_MARK_ARMED && cfg->kill_tree && t->live >= (s32)cfg->kill_tree) {
		reason = FW_KILL_TREE;
		figure = t->live;
	} else {
		return 0;
	}
	fw_kill(ctx, cfg, bpf_ktime_get_ns(), id, 0, FW_SYS_NONE, reason, figure, cfg->kill_tree, rec,
		t, forkers.lookup(&tgid));
	return 0;
}

#ifdef FW_TP_CHILD_CLONE
TRACEPOINT_PROBE(syscalls, sys_exit_clone) { return fw_creation_return(args, args->ret); }
#endif
#ifdef FW_TP_CHILD_CLONE3
TRACEPOINT_PROBE(syscalls, sys_exit_clone3) { return fw_creation_return(args, args->ret); }
#endif
#ifdef FW_TP_CHILD_FORK
TRACEPOINT_PROBE(syscalls, sys_exit_fork) { return fw_creation_return(args, args->ret); }
#endif
#ifdef FW_TP_CHILD_VFORK
TRACEPOINT_PROBE(syscalls, sys_exit_vfork) { return fw_creation_return(args, args->ret); }
#endif

/* A thread was just created in process tgid; rate: threads in the window. */
static __always_inline void fw_kill_check_thread(void *ctx, const struct fw_config *cfg,
						 u64 now, u64 id, u32 child, u32 syscall,
						 struct fw_forker *f, u32 rate)
{
	u32 tgid = id >> 32;
	struct fw_proc *creator;
	struct fw_tree *t = NULL;

	if (!(cfg->kill & FW_KILL_ARMED) || !cfg->kill_thread || rate < cfg->kill_thread)
		return;
	creator = procs.lookup(&tgid);
	if (creator) {
		u32 root = creator->root;

		t = trees.lookup(&root);
	}
	fw_kill(ctx, cfg, now, id, child, syscall, FW_KILL_THREADS, rate, cfg->kill_thread, creator,
		t, f);
}
#endif /* FW_KILL */
