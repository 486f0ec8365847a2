/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Detection logic shared by the probe (compiled by BCC into BPF) and the
 * unit tests (compiled natively with -DFW_USERSPACE). Everything here is a
 * pure function over plain structs: the probe does the map look-ups and
 * hands the records in, so the decisions tested in user space are exactly
 * the ones the kernel makes.
 *
 * Only fixed-width types and no kernel structs: the layouts must be the
 * same on both sides of the perf buffer, whatever headers BCC compiles with.
 */
#ifndef FORKWATCH_LOGIC_H
#define FORKWATCH_LOGIC_H

#ifdef FW_USERSPACE
#include <linux/types.h>
#define FW_INLINE static inline
#define FW_UNROLL
#else
#define FW_INLINE static __always_inline
#define FW_UNROLL _Pragma("unroll")
#endif

/* Atomic add without using the result: BPF_XADD works on every kernel that
 * runs BPF tracepoint programs, fetch-and-add results need 5.12. */
#define FW_ADD(ptr, val) __sync_fetch_and_add((ptr), (val))

#define FW_TOP_DEPTH 8      /* hops of lineage kept per tracked process */
#define FW_COMM_LEN 16
#define FW_EPOCH_WINDOWS 60 /* a burst is re-based after this many windows */

enum fw_alert_kind {
	FW_ALERT_PROCESS = 1, /* one process created too many processes in the window */
	FW_ALERT_TREE = 2,    /* a burst of descendants holds too many live members */
	FW_ALERT_THREADS = 3, /* one process created too many threads in the window */
	FW_ALERT_KILL = 4,    /* --kill, --limit: the probe killed (or, dry run, would kill) */
};

/* Why the probe kills a creating process (fw_alert.reason for FW_ALERT_KILL). */
enum fw_kill_reason {
	FW_KILL_NONE = 0,
	FW_KILL_TREE = 1,    /* its tree's burst crossed --kill-threshold and it named the
			      * burst's root (fw_doom_level) or made half of it itself: the
			      * root's lineage is doomed */
	FW_KILL_PROCESS = 2, /* created twice the alert threshold (-t) in the window */
	FW_KILL_THREADS = 3, /* created twice --thread-threshold threads in the window */
	FW_KILL_LINEAGE = 4, /* it, or an ancestor, or its creator is doomed */
	FW_KILL_LIMIT = 5,   /* its command's --limit of children over its life is used up */
	FW_KILL_REASONS = 6,
};

/* Why a kill that was due did not happen (FW_STAT_SPARED + cause). */
enum fw_spared {
	FW_SPARED_NONE = 0,
	FW_SPARED_INIT = 1,      /* pid 1 */
	FW_SPARED_KTHREAD = 2,   /* kthreadd and the kernel threads */
	FW_SPARED_PROTECTED = 3, /* this tool and its ancestors */
	FW_SPARED_COMM = 4,      /* --allow comm: */
	FW_SPARED_UID = 5,       /* --allow uid: or user: */
	FW_SPARED_CGROUP = 6,    /* --allow cgroup: */
	FW_SPARED_CAUSES = 7,
};

/* Which syscall made a task. FW_SYS_NONE: no entry probe saw the call
 * (kernel threads, or entry probes missing). */
enum fw_syscall {
	FW_SYS_NONE = 0,
	FW_SYS_CLONE = 1,
	FW_SYS_CLONE3 = 2,
	FW_SYS_FORK = 3,
	FW_SYS_VFORK = 4,
	FW_SYS_OTHER = 5, /* an --arch-probe symbol that is none of the four */
	FW_SYS_COUNT = 6,
};

/* Indexes of the per-CPU statistics array. */
enum fw_stat {
	FW_STAT_PROCS = 0,           /* processes created */
	FW_STAT_THREADS = 1,         /* threads created */
	FW_STAT_EXITS = 2,           /* processes exited */
	FW_STAT_ALERTS_PROCESS = 3,
	FW_STAT_ALERTS_TREE = 4,
	FW_STAT_ALERTS_THREADS = 5,
	FW_STAT_SUPPRESSED = 6,      /* alerts held back by the rate limit */
	FW_STAT_UNTRACKED = 7,       /* children not tracked because a map was full */
	FW_STAT_CALLS = 8,           /* + enum fw_syscall: entry-probe hits */
	FW_STAT_PROCS_BY = FW_STAT_CALLS + FW_SYS_COUNT,    /* + fw_syscall */
	FW_STAT_THREADS_BY = FW_STAT_PROCS_BY + FW_SYS_COUNT, /* + fw_syscall */
	FW_STAT_OPENS = FW_STAT_THREADS_BY + FW_SYS_COUNT,  /* file opens (open/openat/openat2) */
	FW_STAT_OPENS_FAILED,        /* ... that returned an error */
	FW_STAT_EV_PROCESS,          /* event records sent: new processes */
	FW_STAT_EV_THREAD,           /* ... new threads */
	FW_STAT_EV_OPEN,             /* ... file opens */
	FW_STAT_EV_LOST,             /* event records the perf buffer had no room for */
	FW_STAT_ALERTS_LOST,         /* alerts the perf buffer had no room for */
	FW_STAT_KILLS,               /* + enum fw_kill_reason: SIGKILLs sent (dry run: due) */
	FW_STAT_SPARED = FW_STAT_KILLS + FW_KILL_REASONS, /* + enum fw_spared: due, but exempt */
	FW_STAT_KILLS_FAILED = FW_STAT_SPARED + FW_SPARED_CAUSES, /* bpf_send_signal refused */
	FW_STAT_DOOMED,              /* lineages the probe doomed (roots named) */
	FW_STAT_COUNT,
};

/* fw_config.events: which per-event records to send (--events, --opens). */
#define FW_EV_PROCESS 1u
#define FW_EV_THREAD 2u
#define FW_EV_OPEN 4u

/* fw_config.filter: which event filters apply (all must pass). */
#define FW_FILTER_PID 1u  /* the process is in the follow map (-p and its descendants) */
#define FW_FILTER_COMM 2u /* command name equals filter_comm (-c) */
#define FW_FILTER_UID 4u  /* user id equals filter_uid (-u) */

/* Settings, written once by user space into a one-slot array. */
struct fw_config {
	__u64 window_ns;
	__u64 epoch_max_ns;
	__u32 proc_threshold;
	__u32 tree_threshold;
	__u32 thread_threshold;
	__u32 threads_enabled;
	__u32 events;      /* FW_EV_* */
	__u32 filter;      /* FW_FILTER_* */
	__u32 filter_uid;
	__u32 filter_pid;  /* the -p process: a descendant of it joins the follow map */
	char filter_comm[FW_COMM_LEN];
	__u32 kill;        /* FW_KILL_ARMED, FW_KILL_DRY_RUN, FW_KILL_LIMITS */
	__u32 kill_tree;   /* live members of a burst that make its creators killable */
	__u32 kill_proc;   /* processes one process may create in the window */
	__u32 kill_thread; /* threads one process may create in the window */
	__u32 allow;       /* FW_ALLOW_*: which allow lists have entries */
	__u32 kill_hot;    /* burst live members from which the probe counts creations
			    * per ancestor, to name the root at kill_tree (fw_doom_level) */
};

/* fw_config.kill */
#define FW_KILL_ARMED 1u   /* --kill: thresholds kill */
#define FW_KILL_DRY_RUN 2u /* --dry-run: decide and report, send no signal */
#define FW_KILL_LIMITS 4u  /* --limit entries exist */

/* fw_config.allow */
#define FW_ALLOW_COMM 1u
#define FW_ALLOW_UID 2u
#define FW_ALLOW_CGROUP 4u
#define FW_MAX_ALLOW_CGROUPS 8

/* A command name as a map key (--allow comm:, --limit). */
struct fw_comm {
	char name[FW_COMM_LEN];
};

/* One --allow cgroup:PATH: the cgroup v2 id and its level (depth below the
 * root), so its descendants match too. */
struct fw_allow_cgroup {
	__u64 id;   /* 0: unused slot */
	__u32 level;
	__u32 pad;
};

/* Sliding-window counter: two fixed buckets, the older one weighted by how
 * much of it still lies inside the window. */
struct fw_window {
	__u64 start_ns;
	__u32 cur;
	__u32 prev;
};

/* At most one alert per offender per window; the rest are counted. */
struct fw_ratelimit {
	__u64 last_ns;
	__u32 suppressed;
	__u32 alerted;
};

/* Per creating process (tgid). */
struct fw_forker {
	struct fw_window procs;
	struct fw_window threads;
	struct fw_ratelimit proc_rl;
	struct fw_ratelimit thread_rl;
	__s32 live_threads;
	__u32 children;      /* processes created over its life (since the tool started) */
	__u32 kill_reported; /* a limit or thread kill of it was reported */
	__u32 pad;
	struct fw_window fails; /* --kill: creations that failed (a full pids.max) */
};

/* Per process created while watching (keyed by tgid). */
struct fw_proc {
	__u64 created_ns;
	__u64 parent_created_ns; /* the creator's created_ns; 0 when it predates the tool */
	__u32 root;  /* tgid of the untracked ancestor whose tree this is */
	__u32 ppid;  /* tgid of the creator */
	__u32 depth; /* 1 for a child of the root */
	__u32 top[FW_TOP_DEPTH]; /* top[i]: the ancestor at depth i+1 (self included) */
	char comm[FW_COMM_LEN];
	__u32 flags; /* FW_PROC_* */
	__u32 copies; /* bit i: top[i] had not exec'd when it created top[i + 1] */
};

/* fw_proc.flags: the process has exec'd since it was created. One that has
 * not is a copy of its creator's program, as every member of a
 * for (;;) fork() bomb is. */
#define FW_PROC_EXECD 1u

/* Per tree root (keyed by the root's tgid). */
struct fw_tree {
	__u64 burst_start_ns;
	__u64 last_join_ns;
	__u64 hot_epoch_ns;  /* --kill: the hot counts below are from then on (the
			      * burst's start, or the last lineage doomed in it) */
	__s32 live;          /* tracked members alive */
	__s32 burst_live;    /* members created since burst_start_ns still alive */
	__u32 burst_created; /* members created since burst_start_ns */
	__u32 root_gone;
	struct fw_window joins;
	struct fw_ratelimit rl;
	__u32 killed;        /* SIGKILLs the probe sent to members (dry run: due) */
	__u32 hot_created;   /* --kill: members created in this hot epoch while hot */
	__u32 hot_direct;    /* ... by the tree root itself */
	__u32 hot_active;    /* ... its children with members created below them */
	__u32 hot_copies;    /* ... of them, the copies */
	__u32 hot_most;      /* ... the most one of them made below it */
	__u32 dooms;         /* --kill: lineages doomed in this tree (0: no need to look) */
};

/* One alert, kernel to user space through the perf buffer. */
struct fw_alert {
	__u64 ts_ns;         /* bpf_ktime_get_ns() */
	__u32 kind;          /* enum fw_alert_kind */
	__u32 pid;           /* thread that made the last child */
	__u32 tgid;          /* its process */
	__u32 ppid;          /* that process's creator, 0 if it predates the tool */
	__u32 uid;
	__u32 child;         /* the task just created */
	__u32 count;         /* the figure that crossed the threshold */
	__u32 threshold;
	__u32 window_count;  /* creations in the last window (by the process or the tree) */
	__u32 live;          /* tree: live members; threads: live threads */
	__u32 burst_created; /* tree: members created in the burst */
	__u32 suppressed;    /* alerts held back since the previous one */
	__u32 root;          /* tree root (tgid) */
	__u32 syscall;       /* enum fw_syscall that made the child */
	char comm[FW_COMM_LEN];
	__u32 reason;        /* FW_ALERT_KILL: enum fw_kill_reason */
	__u32 killed;        /* FW_ALERT_KILL: the tree's kill count, this one included */
	__u32 doomed;        /* FW_ALERT_KILL: the root of the lineage doomed (0: none) */
	__u32 doomed_depth;  /* ... its depth below the tree root (0: the tree root) */
	__u64 doomed_since_ns; /* ... members created from then on (0: all of its lineage) */
	__u32 spared;        /* FW_ALERT_KILL: enum fw_spared when the creator was exempt */
	__u32 pad;
};

/* Per-event records, kernel to user space through the events perf buffer.
 * Every record starts with ts_ns and type. */
enum fw_event_type {
	FW_EVENT_PROCESS = 1,
	FW_EVENT_THREAD = 2,
	FW_EVENT_OPEN = 3,
};

struct fw_task_event {
	__u64 ts_ns;
	__u32 type;     /* FW_EVENT_PROCESS or FW_EVENT_THREAD */
	__u32 pid;      /* the new process, or the process the new thread joined */
	__u32 tid;      /* the new task (== pid for a process) */
	__u32 ppid;     /* pid's parent; 0 when the probe cannot know (user space reads /proc) */
	__u32 uid;
	__u32 syscall;  /* enum fw_syscall */
	__u32 creator;  /* thread that made it */
	__u32 pad;
	char comm[FW_COMM_LEN]; /* the creator's command, which the child starts with */
};

/* How an open was seen: which syscall tracepoint, or the kernel function. */
enum fw_open_call {
	FW_OPEN_KERNEL = 0, /* kprobe on do_sys_openat2/do_sys_open: every open syscall */
	FW_OPEN_OPEN = 1,
	FW_OPEN_OPENAT = 2,
	FW_OPEN_OPENAT2 = 3,
};

#define FW_PATH_LEN 256

enum fw_path_status {
	FW_PATH_OK = 0,
	FW_PATH_TRUNCATED = 1,  /* longer than FW_PATH_LEN - 1 bytes: cut, and said so */
	FW_PATH_UNREADABLE = 2, /* the user pointer could not be read */
};

/* An open in flight, from entry to return (per thread). */
struct fw_open_args {
	__u64 filename; /* user pointer */
	__u64 flags;
	__u32 call;     /* enum fw_open_call */
	__u32 pad;
};

struct fw_open_event {
	__u64 ts_ns;
	__u32 type;      /* FW_EVENT_OPEN */
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__s64 ret;       /* file descriptor, or -errno */
	__u64 flags;     /* open flags as passed */
	__u32 call;        /* enum fw_open_call */
	__u32 path_status; /* enum fw_path_status */
	char comm[FW_COMM_LEN];
	char path[FW_PATH_LEN];
};

/* Does a task pass the event filters? followed: its process is in the
 * follow map. Command names compare exactly, as the kernel keeps them. */
FW_INLINE int fw_filter_pass(const struct fw_config *cfg, int followed, __u32 uid,
			     const char *comm)
{
	int i;

	if ((cfg->filter & FW_FILTER_PID) && !followed)
		return 0;
	if ((cfg->filter & FW_FILTER_UID) && uid != cfg->filter_uid)
		return 0;
	if (cfg->filter & FW_FILTER_COMM) {
FW_UNROLL
		for (i = 0; i < FW_COMM_LEN; i++) {
			if (comm[i] != cfg->filter_comm[i])
				return 0;
			if (comm[i] == 0)
				break;
		}
	}
	return 1;
}

/* Count one event at now; returns the estimated count over the last window.
 * A time older than the window's start is the same moment: another CPU
 * read its clock later and got here first. */
FW_INLINE __u32 fw_window_add(struct fw_window *w, __u64 now, __u64 window_ns)
{
	__u64 elapsed;

	if (w->start_ns == 0) {
		w->start_ns = now;
		w->cur = 0;
		w->prev = 0;
	}
	if (now < w->start_ns)
		now = w->start_ns;
	elapsed = now - w->start_ns;
	if (elapsed >= window_ns) {
		__u64 k = elapsed / window_ns;

		w->prev = k == 1 ? w->cur : 0;
		w->cur = 0;
		w->start_ns += k * window_ns;
		elapsed -= k * window_ns;
	}
	w->cur++;
	return w->cur + (__u32)((__u64)w->prev * (window_ns - elapsed) / window_ns);
}

/* The estimate of fw_window_add at now, without counting anything. */
FW_INLINE __u32 fw_window_estimate(const struct fw_window *w, __u64 now, __u64 window_ns)
{
	__u64 elapsed;

	if (w->start_ns == 0)
		return 0;
	if (now < w->start_ns)
		now = w->start_ns;
	elapsed = now - w->start_ns;
	if (elapsed >= 2 * window_ns)
		return 0;
	if (elapsed >= window_ns) /* cur is now the previous bucket */
		return (__u32)((__u64)w->cur * (2 * window_ns - elapsed) / window_ns);
	return w->cur + (__u32)((__u64)w->prev * (window_ns - elapsed) / window_ns);
}

/* Called when an offender is over its threshold. Returns 1 when an alert
 * goes out now (and stores how many were held back before it in
 * *suppressed), 0 when it is held back. */
FW_INLINE int fw_ratelimit_pass(struct fw_ratelimit *rl, __u64 now, __u64 window_ns,
				__u32 *suppressed)
{
	if (rl->alerted && (now < rl->last_ns || now - rl->last_ns < window_ns)) {
		rl->suppressed++;
		return 0;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->last_ns = now;
	rl->alerted = 1;
	return 1;
}

/* Fill the record of child_tgid, created by parent_tgid. parent is that
 * creator's record, or 0 when the creator predates the tool (or was not
 * tracked): it then roots a tree of its own. */
FW_INLINE void fw_lineage_child(struct fw_proc *child, const struct fw_proc *parent,
				__u32 parent_tgid, __u32 child_tgid, __u64 now)
{
	int i;

	child->created_ns = now;
	child->ppid = parent_tgid;
	child->parent_created_ns = parent ? parent->created_ns : 0;
	child->copies = 0;
	if (parent) {
		child->root = parent->root;
		child->depth = parent->depth + 1;
		child->copies = parent->copies;
		if (parent->depth <= FW_TOP_DEPTH && !(parent->flags & FW_PROC_EXECD))
			child->copies |= 1u << (parent->depth - 1);
FW_UNROLL
		for (i = 0; i < FW_TOP_DEPTH; i++)
			child->top[i] = parent->top[i];
	} else {
		child->root = parent_tgid;
		child->depth = 1;
FW_UNROLL
		for (i = 0; i < FW_TOP_DEPTH; i++)
			child->top[i] = 0;
	}
	/* Unrolled so that the verifier sees constant offsets only. */
FW_UNROLL
	for (i = 0; i < FW_TOP_DEPTH; i++)
		if ((__u32)i + 1 == child->depth)
			child->top[i] = child_tgid;
}

/* The hot counts of tree t start again at now: with each burst, and after
 * each lineage doomed in it, so that what is left of a bomb is judged on
 * its own (the counts of the doomed part would hold the majority). Entries
 * in the hot map from before are stale (fw_hot.epoch_ns). */
FW_INLINE void fw_tree_hot_restart(struct fw_tree *t, __u64 now)
{
	t->hot_epoch_ns = now;
	t->hot_created = 0;
	t->hot_direct = 0;
	t->hot_active = 0;
	t->hot_copies = 0;
	t->hot_most = 0;
}

/* A member joins tree t at now. A burst starts when the tree was quiet for
 * a window, or when the current burst is older than epoch_max_ns, so that
 * long-lived members from an old burst stop counting. Returns the burst's
 * live members after the join. */
FW_INLINE __s32 fw_tree_join(struct fw_tree *t, __u64 now, const struct fw_config *cfg)
{
	/* A time older than the last join is no gap: another CPU read its
	 * clock later and joined first. */
	if (now < t->last_join_ns)
		now = t->last_join_ns;
	if (t->burst_start_ns == 0 || now - t->last_join_ns >= cfg->window_ns ||
	    now - t->burst_start_ns >= cfg->epoch_max_ns) {
		t->burst_start_ns = now;
		t->burst_live = 0;
		t->burst_created = 0;
		fw_tree_hot_restart(t, now);
	}
	t->last_join_ns = now;
	FW_ADD(&t->live, 1);
	FW_ADD(&t->burst_live, 1);
	FW_ADD(&t->burst_created, 1);
	fw_window_add(&t->joins, now, cfg->window_ns);
	return t->burst_live;
}

/* A member of tree t tried to create at now and failed (a full pids.max):
 * a bomb that stalls is not quiet, and its burst must not restart under it
 * (its stuck members would stop counting). */
FW_INLINE void fw_tree_tried(struct fw_tree *t, __u64 now)
{
	if (now > t->last_join_ns)
		t->last_join_ns = now;
}

/* A member created at created_ns left tree t. */
FW_INLINE void fw_tree_leave(struct fw_tree *t, __u64 created_ns)
{
	FW_ADD(&t->live, -1);
	if (created_ns >= t->burst_start_ns)
		FW_ADD(&t->burst_live, -1);
}

/* A tree can be forgotten once its root is gone and no member is left. */
FW_INLINE int fw_tree_done(const struct fw_tree *t)
{
	return t->root_gone && t->live <= 0;
}

/* A doomed lineage (the probe's `marks` map, keyed by the root's tgid):
 * every process below the root, and the root itself, dies at its next
 * fork. since_ns limits it to members created from then on: a root that
 * predates the tool (a tree root) dooms only the burst, and is not doomed
 * itself. */
struct fw_doom {
	__u64 since_ns;
};

/* Is a process created at created_ns (0: it predates the tool) covered by
 * a doom set on one of its ancestors, its creator or itself? */
FW_INLINE int fw_doom_covers(const struct fw_doom *d, __u64 created_ns)
{
	return d && d->since_ns <= created_ns;
}

/* What the probe knows about a creating process when it decides on a kill. */
struct fw_kill_facts {
	__u32 doomed;    /* it is in a doomed lineage */
	__u32 tree_live; /* live members of its tree's current burst */
	__u32 rate;      /* processes it created in the window */
	__u32 limit;     /* its command's --limit (limited != 0) */
	__u32 limited;
	__u32 children;  /* processes it created over its life, this one included */
};

/* Should the creator of a new process die for it, before any naming?
 * Thresholds only with FW_KILL_ARMED, limits only with FW_KILL_LIMITS. A
 * tree over the kill threshold is judged after this (fw_kill_spawner,
 * fw_doom_level): only the lineage of the burst's root dies, because a
 * tree spans a whole login session or service, and whatever else runs in
 * it (the operator's commands, the script that launched the bomb) must
 * live. */
FW_INLINE __u32 fw_kill_reason_for(const struct fw_config *cfg, const struct fw_kill_facts *f)
{
	if (cfg->kill & FW_KILL_ARMED) {
		if (f->doomed)
			return FW_KILL_LINEAGE;
		if (cfg->kill_proc && f->rate >= cfg->kill_proc)
			return FW_KILL_PROCESS;
	}
	if ((cfg->kill & FW_KILL_LIMITS) && f->limited && f->children > f->limit)
		return FW_KILL_LIMIT;
	return FW_KILL_NONE;
}

/* Is the tree over the kill threshold, so that its root is to be named? */
FW_INLINE int fw_kill_tree_due(const struct fw_config *cfg, const struct fw_kill_facts *f)
{
	return (cfg->kill & FW_KILL_ARMED) && cfg->kill_tree && f->tree_live >= cfg->kill_tree;
}

/* From how many live members of a burst the probe counts creations per
 * ancestor (fw_hot): an eighth of the kill threshold, so that the counts
 * cover the last three doublings before it, long enough for a bomb's root
 * starved among its members to make a child of its own. */
FW_INLINE __u32 fw_kill_hot(__u32 kill_tree)
{
	return kill_tree / 8 ? kill_tree / 8 : 1;
}

/* A creator that tried to create half the kill threshold itself in the
 * window (attempts: a bomb that filled its cgroup only fails) is a spawner:
 * the root of its own bomb (while :; do sleep 9 & done), even when it
 * predates the tool. It dies when its tree is over the kill threshold, or
 * when it goes on spawning under a doom of its own (a root that predates
 * the tool dooms only its burst, not itself). */
FW_INLINE int fw_kill_spawner(const struct fw_config *cfg, __u32 attempts)
{
	return cfg->kill_tree && (__u64)attempts * 2 >= cfg->kill_tree;
}

/* Never killed, whatever the reason: pid 1, kernel threads (kthreadd, pid
 * 2, what it made, and those user space found at start), and what user
 * space protects (the tool and its ancestors) or allows (--allow: the
 * caller's cause). Returns the enum fw_spared cause, 0 to kill. */
FW_INLINE __u32 fw_kill_exempt(__u32 tgid, __u32 tree_root, int is_kthread, int is_protected,
			       __u32 allowed)
{
	if (tgid == 1)
		return FW_SPARED_INIT;
	if (tgid == 2 || tree_root == 2 || is_kthread)
		return FW_SPARED_KTHREAD;
	if (is_protected)
		return FW_SPARED_PROTECTED;
	return allowed;
}

/* Naming the root of a burst in the kernel. While a tree's burst is hot
 * (from fw_config.kill_hot live members), the probe counts, for each
 * process the lineage keeps (within FW_TOP_DEPTH of the tree root), the
 * processes created below it and those it created itself. LRU: the counts
 * of dead processes age out. */
struct fw_hot {
	__u64 epoch_ns; /* the counts' epoch (fw_tree.hot_epoch_ns) */
	__u32 below;    /* processes created below it, at any depth, while hot */
	__u32 direct;   /* ... by itself */
	__u32 active;   /* its children with processes created below them while hot */
	__u32 copies;   /* ... of them, those that were copies (had not exec'd) */
	__u32 most;     /* the most a child of it made below it (below of the child) */
	__u32 pad;
};

/* The counts along a creator's lineage: level 0 is the tree root, level i
 * (1 to depth) the ancestor at depth i, top[i - 1]; the creator is the
 * last (when depth <= FW_TOP_DEPTH). */
struct fw_hot_path {
	__u32 depth;                        /* the creator's depth */
	__u32 below[FW_TOP_DEPTH + 1];
	__u32 direct[FW_TOP_DEPTH + 1];
	__u32 active[FW_TOP_DEPTH + 1];
	__u32 copies[FW_TOP_DEPTH + 1];
	__u32 most[FW_TOP_DEPTH + 1];
	__u32 copy;                         /* bit i: level i had not exec'd (fw_path_copies) */
};

/* Which levels of a creator's path are copies of their creator's program:
 * the ancestors as they were when they created the next one on the path,
 * the creator (level depth) as it is now. */
FW_INLINE __u32 fw_path_copies(const struct fw_proc *creator)
{
	__u32 bits = creator->copies << 1;

	if (creator->depth <= FW_TOP_DEPTH && !(creator->flags & FW_PROC_EXECD))
		bits |= 1u << creator->depth;
	return bits;
}

#define FW_DOOM_MAJORITY_PCT 50 /* the child on the path made this much of its parent's: the way down */
#define FW_DOOM_SHARE_PCT 90    /* ... this much at every level: the path is the bomb's alone */
#define FW_DOOM_FLOOR_PCT 25    /* a root holds at least this much of its tree's hot creations */
#define FW_DOOM_ACTIVE 3        /* children that multiply, for one that makes no copies */
#define FW_DOOM_NONE (-1)

/* Does the process at a level multiply, so that it is a bomb's root? Two
 * of its copies (children that had not exec'd) multiply, as in
 * :(){ :|:& };: and for (;;) fork(); or it still creates while the burst
 * is hot and either its child on the path is a copy or three of its
 * children multiply, as in a bomb that execs itself. A shell whose one
 * subshell runs a bomb does not, nor a script above a bomb that forks a
 * helper now and then. */
FW_INLINE int fw_doom_multiplies(const struct fw_hot_path *p, int level, int child_is_copy)
{
	if (p->copies[level] >= 2)
		return 1;
	if (p->direct[level] == 0)
		return 0;
	return child_is_copy || p->active[level] >= FW_DOOM_ACTIVE;
}

/* Where the creator's lineage names the burst's root. It walks down from
 * the tree root along the creator's path and names the first process that
 * multiplies (fw_doom_multiplies) and made at least FW_DOOM_FLOOR_PCT of
 * the tree's hot creations; it follows the child on the path while that
 * child made the majority of its parent's, and otherwise names nothing (a
 * creator in the majority will). At the tree root (a login daemon, a
 * service manager: many sessions at once) the majority goes first, and
 * three active children count only when none of them holds it. At the creator
 * itself it also names a spawner: one that made half of its subtree's
 * processes itself (while :; do sleep 9 & done). Deeper than the lineage
 * keeps, it names the deepest ancestor kept when the whole path made
 * FW_DOOM_SHARE_PCT at every level. It never names above where the bomb
 * multiplies; a wrong turn downwards dooms part of a bomb, and the rest is
 * named at a later fork (the counts start again after each doom). Returns
 * the level (0: the tree root), or FW_DOOM_NONE. */
FW_INLINE int fw_doom_level(const struct fw_hot_path *p)
{
	__u32 last = p->depth < FW_TOP_DEPTH ? p->depth : FW_TOP_DEPTH;
	__u64 floor = (__u64)p->below[0] * FW_DOOM_FLOOR_PCT;
	int level, alone = 1;

FW_UNROLL
	for (level = 0; level <= FW_TOP_DEPTH; level++) {
		__u64 n = p->below[level], c;
		int child_copy, majority;

		if ((__u32)level == last) {
			if (n * 100 < floor)
				return FW_DOOM_NONE;
			if (last < p->depth) /* the lineage keeps no deeper ancestor */
				return alone || fw_doom_multiplies(p, level, 0) ? level : FW_DOOM_NONE;
			/* The creator itself. The tree root has no child on the path to
			 * tell a bomb from a busy daemon: its copies or its own spawning
			 * only (its members name it otherwise). */
			if ((__u64)p->direct[level] * 2 >= n || p->copies[level] >= 2 ||
			    (level > 0 && fw_doom_multiplies(p, level, 0)))
				return level;
			return FW_DOOM_NONE;
		}
		child_copy = (p->copy >> (level + 1)) & 1;
		c = (__u64)p->below[level + 1] + 1; /* the child on the path, and what it made */
		majority = c * 100 >= FW_DOOM_MAJORITY_PCT * n;
		if (level == 0) {
			if (p->copies[0] >= 2 || (p->direct[0] > 0 && child_copy))
				return 0;
			if (!majority)
				return p->direct[0] > 0 && p->active[0] >= FW_DOOM_ACTIVE &&
						       (__u64)p->most[0] * 100 < FW_DOOM_MAJORITY_PCT * n
					       ? 0
					       : FW_DOOM_NONE;
		} else {
			if (n * 100 >= floor && fw_doom_multiplies(p, level, child_copy))
				return level;
			if (!majority)
				return FW_DOOM_NONE;
		}
		if (c * 100 < FW_DOOM_SHARE_PCT * n)
			alone = 0;
	}
	return FW_DOOM_NONE;
}

/* How much a root named at the tree root (level 0) dooms: all of its
 * lineage, itself included, while it still creates (it is the bomb); else
 * only the burst (a shell a bomb was typed into, which made its copies and
 * stopped). Processes that are never killed (pid 1, kernel threads, the
 * tool's ancestors: not_killable) are never doomed whole either. */
FW_INLINE int fw_doom_whole(const struct fw_hot_path *p, int not_killable)
{
	return !not_killable && p->direct[0] > 0;
}

#endif /* FORKWATCH_LOGIC_H */
