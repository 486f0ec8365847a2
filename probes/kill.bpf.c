/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Containment (--kill, --dry-run, --limit): compiled in only when asked for
 * (-DFW_KILL=1), so a watching-only run loads no signal-sending code and
 * needs no bpf_send_signal (5.3+).
 *
 * The probe can only signal the task it runs in, so a process is killed at
 * its next fork: task:task_newtask runs in the creator. When a tree's burst
 * crosses the kill threshold, the creating process names the burst's root
 * from the counts kept along its lineage while the burst was hot
 * (fw_doom_level), dooms that root's lineage in `marks`, and dies. From
 * then on every doomed process dies at its next fork (or failed fork), its
 * new child as it starts, and user space stops and kills the doomed members
 * that do not fork. Nothing here waits for user space.
 *
 * Build-time switches (validated integers from user space):
 *   FW_ALLOW_CGROUP_IDS   --allow cgroup: entries exist (needs
 *                         bpf_get_current_ancestor_cgroup_id)
 *   FW_TP_CHILD_<CALL>    the first of syscalls:sys_exit_{clone,clone3,fork,
 *                         vfork} that exists: doomed children die as they
 *                         start, failed creations are judged
 */
#ifndef FW_EMBEDDED
#include "forkwatch_logic.h"
#include "common.bpf.h"
#endif

#ifdef FW_KILL
#define FW_SIGKILL 9

#ifndef FW_MAX_DOOMED
#define FW_MAX_DOOMED 4096
#endif

BPF_HASH(marks, u32, struct fw_doom, FW_MAX_DOOMED);          /* doomed lineages, by root */
BPF_TABLE("lru_hash", u32, struct fw_hot, hot, FW_MAX_PROCS); /* counts while a burst is hot */
BPF_HASH(protected, u32, u8, 1024);            /* the tool and its ancestors */
BPF_HASH(kthreads, u32, u8, FW_MAX_TREES);     /* kernel threads found at start */
BPF_HASH(allow_comm, struct fw_comm, u8, 256);
BPF_HASH(allow_uid, u32, u8, 256);
BPF_ARRAY(allow_cgroup, struct fw_allow_cgroup, FW_MAX_ALLOW_CGROUPS);
BPF_HASH(limits, struct fw_comm, u32, 256);    /* --limit COMM=N */

/* The counts along a lineage, gathered to name a root: too big for the
 * 512-byte BPF stack beside the detector's records (as alert_scratch). */
BPF_PERCPU_ARRAY(path_scratch, struct fw_hot_path, 1);

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

/* Never killed, whoever it is: so never doomed whole either. */
static __always_inline int fw_never_killed(u32 tgid)
{
	return tgid <= 2 || protected.lookup(&tgid) || kthreads.lookup(&tgid);
}

static __always_inline int fw_doom_at(u32 tgid, u64 created_ns)
{
	return fw_doom_covers(marks.lookup(&tgid), created_ns);
}

/* Is tgid doomed: it, its creator, its tree root or an ancestor the
 * lineage keeps has a doom that covers it? rec: its record (NULL when it
 * predates the tool: only its own doom counts, and a doom limited to a
 * burst never covers it). */
static __always_inline int fw_doomed(u32 tgid, const struct fw_proc *rec)
{
	u64 created = rec ? rec->created_ns : 0;
	int i;

	if (fw_doom_at(tgid, created))
		return 1;
	if (!rec)
		return 0;
	if (fw_doom_at(rec->ppid, created) || fw_doom_at(rec->root, created))
		return 1;
#pragma unroll
	for (i = 0; i < FW_TOP_DEPTH; i++) {
		u32 anc = rec->top[i];

		if ((u32)i + 1 < rec->depth && anc != rec->ppid && fw_doom_at(anc, created))
			return 1;
	}
	return 0;
}

/* A process was created while its tree's burst is hot: count it for every
 * ancestor the lineage keeps and for its creator as its own; the first
 * time something is created below a child, count that child as active for
 * its parent (and as a copy, if it had not exec'd). */
static __always_inline void fw_hot_count(const struct fw_proc *child, struct fw_tree *t)
{
	u64 epoch = t->hot_epoch_ns;
	u32 *parent_active = &t->hot_active, *parent_copies = &t->hot_copies,
	    *parent_most = &t->hot_most;
	int i;

	FW_ADD(&t->hot_created, 1);
	if (child->depth == 1)
		FW_ADD(&t->hot_direct, 1);
#pragma unroll
	for (i = 0; i < FW_TOP_DEPTH; i++) {
		u32 anc = child->top[i];
		struct fw_hot *h;

		if ((u32)i + 1 >= child->depth)
			continue;
		h = hot.lookup(&anc);
		if (!h || h->epoch_ns != epoch) {
			struct fw_hot fresh = { .epoch_ns = epoch };

			hot.update(&anc, &fresh);
			h = hot.lookup(&anc);
			if (!h)
				break;
		}
		if (h->below == 0) {
			FW_ADD(parent_active, 1);
			if (child->copies & (1u << i))
				FW_ADD(parent_copies, 1);
		}
		FW_ADD(&h->below, 1);
		if (h->below > *parent_most) /* racy, and only ever low by a few */
			*parent_most = h->below;
		if ((u32)i + 2 == child->depth)
			FW_ADD(&h->direct, 1);
		parent_active = &h->active;
		parent_copies = &h->copies;
		parent_most = &h->most;
	}
}

/* What a kill is about: who dies, why, and the lineage it dooms. */
struct fw_kill_ctx {
	u64 now;
	u64 id;            /* the creating thread (bpf_get_current_pid_tgid) */
	u32 child;         /* the task it just made (0: a failed creation) */
	u32 syscall;
	u32 reason;        /* enum fw_kill_reason */
	u32 figure;        /* what crossed the threshold */
	u32 threshold;
	u32 tree_root;
	u32 doomed;        /* the root named now (0: none) */
	u32 doomed_depth;
	u64 doomed_since_ns;
};

/* The tree is over the kill threshold and the creator is not doomed: name
 * the burst's root where the creator's lineage says (fw_doom_level).
 * creator: its record, NULL when it predates the tool. Returns 1 with
 * k->doomed* set. */
static __always_inline int fw_name_root(const struct fw_proc *creator, struct fw_tree *t,
					struct fw_kill_ctx *k)
{
	struct fw_hot_path *p;
	u32 zero = 0;
	int level, i;

	p = path_scratch.lookup(&zero);
	if (!p)
		return 0;
	__builtin_memset(p, 0, sizeof(*p));
	p->below[0] = t->hot_created;
	p->direct[0] = t->hot_direct;
	p->active[0] = t->hot_active;
	p->copies[0] = t->hot_copies;
	p->most[0] = t->hot_most;
	if (creator) {
		p->depth = creator->depth;
		p->copy = fw_path_copies(creator);
#pragma unroll
		for (i = 0; i < FW_TOP_DEPTH; i++) {
			u32 anc = creator->top[i];
			struct fw_hot *h;

			if ((u32)i >= creator->depth)
				continue;
			h = hot.lookup(&anc);
			if (h && h->epoch_ns == t->hot_epoch_ns) {
				p->below[i + 1] = h->below;
				p->direct[i + 1] = h->direct;
				p->active[i + 1] = h->active;
				p->copies[i + 1] = h->copies;
				p->most[i + 1] = h->most;
			}
		}
	}
	level = fw_doom_level(p);
	if (level == FW_DOOM_NONE)
		return 0;
	k->doomed_depth = level;
	if (level == 0) {
		/* The tree root predates the tool: all of it while it still
		 * creates, else only its burst. */
		k->doomed = k->tree_root;
		k->doomed_since_ns =
			fw_doom_whole(p, fw_never_killed(k->tree_root)) ? 0 : t->burst_start_ns;
		return 1;
	}
	k->doomed_since_ns = 0;
#pragma unroll
	for (i = 0; i < FW_TOP_DEPTH; i++)
		if (i + 1 == level)
			k->doomed = creator->top[i];
	return 1;
}

/* The decision is made. Dooms the named root, then kills the creator
 * unless it is exempt (dry run: only counts). Reports every naming, and
 * the first process, thread or limit kill of a process; a doomed member's
 * death is only counted. */
static __always_inline void fw_kill(void *ctx, const struct fw_config *cfg, struct fw_kill_ctx *k,
				    const struct fw_proc *creator, struct fw_tree *t,
				    struct fw_forker *f)
{
	u32 tgid = k->id >> 32, uid = (u32)bpf_get_current_uid_gid(), spared;
	struct fw_comm comm = {};
	struct fw_alert *a;

	bpf_get_current_comm(&comm.name, sizeof(comm.name));
	spared = fw_kill_exempt(tgid, k->tree_root, kthreads.lookup(&tgid) != NULL,
				protected.lookup(&tgid) != NULL, fw_allowed(cfg, uid, &comm));
	if (spared && k->doomed == tgid)
		k->doomed = 0; /* an exempt process dooms nothing of its own */
	if (k->doomed) {
		struct fw_doom d = { .since_ns = k->doomed_since_ns };

		/* A doom already there covers as much or more (an earlier burst
		 * of the same root): never narrow it. A new one restarts the hot
		 * counts: what is left of the bomb is judged on its own. */
		if (marks.insert(&k->doomed, &d) == 0 && t)
			fw_tree_hot_restart(t, k->now);
		fw_stat(FW_STAT_DOOMED);
		if (t)
			FW_ADD(&t->dooms, 1);
	}
	if (spared) {
		fw_stat(FW_STAT_SPARED + spared);
		if (!k->doomed)
			return;
	} else if (!(cfg->kill & FW_KILL_DRY_RUN) && bpf_send_signal(FW_SIGKILL) < 0) {
		fw_stat(FW_STAT_KILLS_FAILED);
		if (!k->doomed)
			return;
	} else {
		fw_stat(FW_STAT_KILLS + k->reason);
		if (t)
			FW_ADD(&t->killed, 1);
	}
	if (!k->doomed) {
		if (k->reason == FW_KILL_LINEAGE || !f || f->kill_reported)
			return;
		f->kill_reported = 1;
	}
	a = fw_alert_new();
	if (!a)
		return;
	a->ts_ns = k->now;
	a->kind = FW_ALERT_KILL;
	a->reason = k->reason;
	a->pid = (u32)k->id;
	a->tgid = tgid;
	a->uid = uid;
	a->child = k->child;
	a->syscall = k->syscall;
	a->count = k->figure;
	a->threshold = k->threshold;
	a->root = k->tree_root;
	a->ppid = creator ? creator->ppid : 0;
	a->doomed = k->doomed;
	a->doomed_depth = k->doomed_depth;
	a->doomed_since_ns = k->doomed_since_ns;
	a->spared = spared;
	if (t) {
		a->killed = t->killed;
		a->live = t->live > 0 ? t->live : 0;
		a->burst_created = t->burst_created;
	}
	__builtin_memcpy(a->comm, comm.name, sizeof(a->comm));
	if (alerts.perf_submit(ctx, a, sizeof(*a)) < 0)
		fw_stat(FW_STAT_ALERTS_LOST);
}

/* The creator dooms its own lineage (only its burst when it is never
 * killed: it predates the tool). */
static __always_inline void fw_doom_self(struct fw_kill_ctx *k, const struct fw_proc *creator,
					 const struct fw_tree *t)
{
	u32 tgid = k->id >> 32;

	k->doomed = tgid;
	k->doomed_depth = creator ? creator->depth : 0;
	k->doomed_since_ns = fw_never_killed(tgid) ? t->burst_start_ns : 0;
}

/* Judges a creator: doomed, over the process kill threshold or its limit,
 * a spawner, or the one that names the root of a tree over the kill
 * threshold. rate: processes it created in the window; attempts: that and
 * the creations that failed. */
static __always_inline void fw_judge(void *ctx, const struct fw_config *cfg,
				     struct fw_kill_ctx *k, const struct fw_proc *creator,
				     struct fw_tree *t, struct fw_forker *f, u32 tree_live, u32 rate,
				     u32 attempts)
{
	struct fw_kill_facts facts = {};
	u32 tgid = k->id >> 32;

	if (cfg->kill & FW_KILL_ARMED) {
		facts.doomed = t->dooms && fw_doomed(tgid, creator);
		facts.tree_live = tree_live;
		facts.rate = rate;
	}
	if ((cfg->kill & FW_KILL_LIMITS) && f && k->child) {
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
	k->reason = fw_kill_reason_for(cfg, &facts);
	if (k->reason == FW_KILL_NONE && (cfg->kill & FW_KILL_ARMED)) {
		int due = fw_kill_tree_due(cfg, &facts);

		if (fw_kill_spawner(cfg, attempts) &&
		    (due || (t->dooms && marks.lookup(&tgid)))) {
			k->reason = FW_KILL_TREE; /* the root of its own bomb */
			fw_doom_self(k, creator, t);
		} else if (due && fw_name_root(creator, t, k)) {
			k->reason = FW_KILL_TREE;
		}
	}
	if (k->reason == FW_KILL_PROCESS)
		fw_doom_self(k, creator, t); /* what it made dies with it */
	switch (k->reason) {
	case FW_KILL_NONE:
		return;
	case FW_KILL_TREE:
	case FW_KILL_LINEAGE:
		k->figure = tree_live;
		k->threshold = cfg->kill_tree;
		break;
	case FW_KILL_LIMIT:
		k->figure = facts.children;
		k->threshold = facts.limit;
		break;
	default:
		k->figure = rate;
		k->threshold = cfg->kill_proc;
	}
	fw_kill(ctx, cfg, k, creator, t, f);
}

/* A process was just created by the current task (record of the child:
 * rec; the creator's: creator, NULL when it predates the tool). */
static __always_inline void fw_kill_check_process(void *ctx, const struct fw_config *cfg,
						  u64 now, u64 id, u32 child, u32 syscall,
						  const struct fw_proc *creator,
						  const struct fw_proc *rec, struct fw_tree *t,
						  struct fw_forker *f, s32 burst_live, u32 rate)
{
	struct fw_kill_ctx k = {
		.now = now, .id = id, .child = child, .syscall = syscall, .tree_root = rec->root,
	};
	u32 live = burst_live > 0 ? burst_live : 0;

	/* A new process starts undoomed, whatever the last holder of its
	 * pid was. */
	marks.delete(&child);
	if ((cfg->kill & FW_KILL_ARMED) && cfg->kill_hot && live >= cfg->kill_hot)
		fw_hot_count(rec, t);
	fw_judge(ctx, cfg, &k, creator, t, f, live, rate,
		 rate + fw_window_estimate(&f->fails, now, cfg->window_ns));
}

/* A creation failed (pids.max, RLIMIT_NPROC): no task_newtask fires, so a
 * bomb that filled its cgroup is judged here, at each try. rec: the
 * creator's record, NULL when it predates the tool (then it is its own
 * tree's root). */
static __always_inline void fw_creation_failed(void *ctx, const struct fw_config *cfg,
					       struct fw_kill_ctx *k, const struct fw_proc *rec,
					       struct fw_tree *t)
{
	struct fw_forker *f = fw_forker_of(k->id >> 32);
	u32 live = t->burst_live > 0 ? t->burst_live : 0, rate;

	fw_tree_tried(t, k->now);
	if (!f)
		return;
	rate = fw_window_estimate(&f->procs, k->now, cfg->window_ns);
	fw_judge(ctx, cfg, k, rec, t, f, live, rate,
		 rate + fw_window_add(&f->fails, k->now, cfg->window_ns));
}

/* Returns from the creation syscalls. A new child's first act is to
 * return from the syscall that made it: a doomed child dies there, before
 * any code of its own runs (else each killed member would hand the bomb on
 * to the child it just made). A failed creation is judged. */
static __always_inline int fw_creation_return(void *ctx, long ret)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, root;
	struct fw_config *cfg = fw_config_get();
	struct fw_kill_ctx k = { .id = id, .syscall = FW_SYS_NONE };
	struct fw_proc *rec;
	struct fw_tree *t;

	if (!cfg || !(cfg->kill & FW_KILL_ARMED) || ret > 0)
		return 0; /* the creator's successful return: task_newtask judged it */
	k.now = bpf_ktime_get_ns();
	rec = procs.lookup(&tgid);
	if (!rec) {
		/* It predates the tool (a new task always has a record, unless
		 * the map is full). */
		k.tree_root = tgid;
		t = trees.lookup(&tgid);
		if (t && ret < 0)
			fw_creation_failed(ctx, cfg, &k, NULL, t);
		return 0;
	}
	root = rec->root;
	k.tree_root = root;
	t = trees.lookup(&root);
	if (!t)
		return 0;
	if (ret < 0) {
		fw_creation_failed(ctx, cfg, &k, rec, t);
		return 0;
	}
	/* A new task's first return (a new thread's too: a doomed process dies
	 * whole). */
	if (!t->dooms || !fw_doomed(tgid, rec))
		return 0;
	k.reason = FW_KILL_LINEAGE;
	k.figure = t->burst_live > 0 ? t->burst_live : 0;
	k.threshold = cfg->kill_tree;
	fw_kill(ctx, cfg, &k, rec, t, forkers.lookup(&tgid));
	return 0;
}

/* One program for the returns of all four creation syscalls, compiled for
 * the first whose tracepoint exists: they share one layout (the syscall
 * number, then ret), so user space attaches it to each. Compiled and
 * verified once, not four times. */
#if defined(FW_TP_CHILD_CLONE)
TRACEPOINT_PROBE(syscalls, sys_exit_clone) { return fw_creation_return(args, args->ret); }
#elif defined(FW_TP_CHILD_CLONE3)
TRACEPOINT_PROBE(syscalls, sys_exit_clone3) { return fw_creation_return(args, args->ret); }
#elif defined(FW_TP_CHILD_FORK)
TRACEPOINT_PROBE(syscalls, sys_exit_fork) { return fw_creation_return(args, args->ret); }
#elif defined(FW_TP_CHILD_VFORK)
TRACEPOINT_PROBE(syscalls, sys_exit_vfork) { return fw_creation_return(args, args->ret); }
#endif

/* A thread was just created in process tgid; rate: threads in the window. */
static __always_inline void fw_kill_check_thread(void *ctx, const struct fw_config *cfg,
						 u64 now, u64 id, u32 child, u32 syscall,
						 struct fw_forker *f, u32 rate)
{
	u32 tgid = id >> 32;
	struct fw_kill_ctx k = {
		.now = now, .id = id, .child = child, .syscall = syscall, .tree_root = tgid,
		.reason = FW_KILL_THREADS, .figure = rate, .threshold = cfg->kill_thread,
	};
	struct fw_proc *creator;
	struct fw_tree *t = NULL;

	if (!(cfg->kill & FW_KILL_ARMED) || !cfg->kill_thread || rate < cfg->kill_thread)
		return;
	creator = procs.lookup(&tgid);
	if (creator) {
		k.tree_root = creator->root;
		t = trees.lookup(&k.tree_root);
	}
	fw_kill(ctx, cfg, &k, creator, t, f);
}
#endif /* FW_KILL */
