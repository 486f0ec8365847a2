/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Detection logic shared by the probe (compiled by BCC into BPF) and the
 * unit tests (compiled natively with -DFW_USERSPACE): the records, the
 * settings, and every decision of the model of runaway creation as pure
 * functions over plain structs. forkwatch_model.h strings these decisions
 * together over the record store; the probe and the tests each give it
 * their own store, so the decisions tested in user space are the ones the
 * kernel makes.
 *
 * Only fixed-width types and no kernel structs: the layouts must be the
 * same on both sides of the perf buffer, whatever headers BCC compiles with.
 *
 * The model (README, "How it detects"). Processes are records: one per
 * process created while watching, and one for each older process once it
 * creates or execs. Four rules name a root:
 *
 *  - replicator: copies of one program that make copies that make copies.
 *    A child is a copy of its creator until it execs another program (an
 *    exec of the same program keeps it one). A copy becomes a node of its
 *    lineage when it creates while still a copy, and its creator's line
 *    then replicates. Lines are ranked by a branching number (a node with
 *    two lines of rank r, or one of r and one of r - 1, has rank r + 1),
 *    over the lines whose records are there (live, or dead with live
 *    lines below), however slowly they grew. Only "pure" nodes count: those
 *    more of whose decided children replicated than exec'd away. A pure
 *    node that reaches --rank (5) names the root: itself, or the pure
 *    ancestor above it still branching into two lines.
 *  - chain: a lineage of young copies (each created while its creator's
 *    program was less than a window old) that gains --chain generations
 *    (64) within a window, while few are alive.
 *  - spawner: one process holding many live children whose creations fail
 *    (a full pids.max, RLIMIT_NPROC, pid_max), or holding more live
 *    children than --spawn-max.
 *  - threads (--threads) and rate (-t): one process creating too many
 *    threads or processes within the window. Rate only reports.
 *
 * A named root whose program ran longer than --established before it was
 * named is never killed (a server at its limit, a shell a bomb was typed
 * into); only what it created since the episode began is.
 */
#ifndef FORKWATCH_LOGIC_H
#define FORKWATCH_LOGIC_H

/* Everything is inlined: the C API of libbcc loads each program's own
 * section, without the .text subprograms a BPF-to-BPF call would need.
 * FW_UNROLL: loops over a record's fields, unrolled (constant offsets
 * for the verifier). FW_LOOP: loops over records (map look-ups), kept as
 * bounded loops where the kernel verifies those (5.3 and later; user space
 * passes -DFW_UNROLL_LOOPS=1 before that). */
#ifdef FW_USERSPACE
#include <linux/types.h>
#define FW_INLINE static inline
#define FW_UNROLL
#define FW_LOOP
/* The clock of the model's times (fw_now): the tests' simulated one. */
__u64 fw_clock(void);
#define FW_CLOCK() fw_clock()
#else
#define FW_CLOCK() bpf_ktime_get_ns()
#define FW_INLINE static __always_inline
#define FW_UNROLL _Pragma("unroll")
#ifdef FW_UNROLL_LOOPS
#define FW_LOOP _Pragma("unroll")
#else
#define FW_LOOP _Pragma("nounroll")
#endif
#endif

/* Atomic add without using the result: BPF_XADD works on every kernel that
 * runs BPF tracepoint programs, fetch-and-add results need 5.12. */
#define FW_ADD(ptr, val) __sync_fetch_and_add((ptr), (val))

#define FW_COMM_LEN 16
#define FW_ANC 16           /* nearest ancestors kept per process: anc[0] is the creator */
#define FW_CLIMB 8         /* creator links a rank change may climb per event */
#define FW_RANK_EPOCH 4     /* windows a named root's episode spans */
#define FW_RANK_MAX 15      /* ranks above it count as it (lines[] has FW_RANK_MAX + 1) */
#define FW_SPAWN_MIN 64     /* live children a failing creator holds to be a spawner */
#define FW_HARM_RANK 3      /* rank of a line whose failing creations name it a replicator */
#define FW_CASCADE 4        /* dead records a deletion may release per event */

/* The rules, and the kinds of records sent to user space (fw_alert.kind). */
enum fw_rule {
	FW_RULE_NONE = 0,
	FW_RULE_REPLICATOR = 1, /* copies of copies branch --rank levels deep */
	FW_RULE_CHAIN = 2,      /* a lineage of copies gains --chain generations per window */
	FW_RULE_SPAWNER = 3,    /* one process: many live children and failing creations,
				 * or more live children than --spawn-max */
	FW_RULE_THREADS = 4,    /* one process created --thread-threshold threads in the window */
	FW_RULE_RATE = 5,       /* one process created -t processes in the window (reported only) */
	FW_RULE_LIMIT = 6,      /* --limit COMM=N used up (a policy, not a detection) */
	FW_RULES = 7,
};

/* Not a verdict: the probe asks user space to attach the returns of the
 * creation syscalls (fw_state), which it watches on demand. */
#define FW_NOTE_RETURNS 16

/* What was done about a verdict (fw_alert.action). */
enum fw_action {
	FW_ACT_REPORT = 0,  /* reported: no containment, or a rule that never kills */
	FW_ACT_KILL = 1,    /* the root's lineage is doomed and the creator killed */
	FW_ACT_DRY_RUN = 2, /* --dry-run: as FW_ACT_KILL, with no signal sent */
	FW_ACT_SPARED = 3,  /* containment was due; the root is exempt (fw_alert.spared) */
};

/* Why the probe kills a process (FW_STAT_KILLS + reason): the rule of the
 * verdict, or FW_KILL_LINEAGE for a member of a doomed lineage. */
#define FW_KILL_LINEAGE FW_RULE_NONE
#define FW_KILL_REASONS FW_RULES

/* Why a kill that was due did not happen (FW_STAT_SPARED + cause). */
enum fw_spared {
	FW_SPARED_NONE = 0,
	FW_SPARED_INIT = 1,        /* pid 1 */
	FW_SPARED_KTHREAD = 2,     /* kthreadd and the kernel threads */
	FW_SPARED_PROTECTED = 3,   /* this tool and its ancestors */
	FW_SPARED_COMM = 4,        /* --allow comm: */
	FW_SPARED_UID = 5,         /* --allow uid: or user: */
	FW_SPARED_CGROUP = 6,      /* --allow cgroup: */
	FW_SPARED_ESTABLISHED = 7, /* its program ran longer than --established before the
				    * verdict (a spawner), so it is reported, not killed */
	FW_SPARED_CAUSES = 8,
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
	FW_STAT_FAILED = 3,          /* creations that failed (where returns are seen) */
	FW_STAT_ALERTS = 4,          /* + enum fw_rule: verdicts reported */
	FW_STAT_SUPPRESSED = FW_STAT_ALERTS + FW_RULES, /* verdicts held back by the rate limit */
	FW_STAT_UNTRACKED,           /* processes not tracked because the record map was full */
	FW_STAT_EVICTED,             /* records dropped to make room (fw_rec_evictable) */
	FW_STAT_RECORDS_IN,          /* records made ... */
	FW_STAT_RECORDS_OUT,         /* ... and deleted: the difference is the map's load */
	FW_STAT_CALLS,               /* + enum fw_syscall: entry-probe hits */
	FW_STAT_PROCS_BY = FW_STAT_CALLS + FW_SYS_COUNT,    /* + fw_syscall */
	FW_STAT_THREADS_BY = FW_STAT_PROCS_BY + FW_SYS_COUNT, /* + fw_syscall */
	FW_STAT_OPENS = FW_STAT_THREADS_BY + FW_SYS_COUNT,  /* file opens (open/openat/openat2) */
	FW_STAT_OPENS_FAILED,        /* ... that returned an error */
	FW_STAT_EV_PROCESS,          /* event records sent: new processes */
	FW_STAT_EV_THREAD,           /* ... new threads */
	FW_STAT_EV_OPEN,             /* ... file opens */
	FW_STAT_EV_LOST,             /* event records the perf buffer had no room for */
	FW_STAT_ALERTS_LOST,         /* verdicts the perf buffer had no room for */
	FW_STAT_KILLS,               /* + kill reason: SIGKILLs sent (dry run: due) */
	FW_STAT_SPARED = FW_STAT_KILLS + FW_KILL_REASONS, /* + enum fw_spared: due, but exempt */
	FW_STAT_KILLS_FAILED = FW_STAT_SPARED + FW_SPARED_CAUSES, /* bpf_send_signal refused */
	FW_STAT_DOOMED,              /* lineages the probe doomed */
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
	__u64 established_ns; /* a program older than this when named is not killed */
	__u32 proc_threshold; /* -t: processes one process creates in the window (rate) */
	__u32 rank;           /* --rank: the Strahler rank that names a replicator */
	__u32 chain;          /* --chain: generations of a chain in the window */
	__u32 spawn_max;      /* --spawn-max: live children of one process */
	__u32 thread_threshold;
	__u32 threads_enabled;
	__u32 events;      /* FW_EV_* */
	__u32 filter;      /* FW_FILTER_* */
	__u32 filter_uid;
	__u32 filter_pid;  /* the -p process: a descendant of it joins the follow map */
	char filter_comm[FW_COMM_LEN];
	__u32 kill;        /* FW_KILL_ARMED, FW_KILL_DRY_RUN, FW_KILL_LIMITS */
	__u32 kill_thread; /* threads one process may create in the window */
	__u32 allow;       /* FW_ALLOW_*: which allow lists have entries */
	__u32 pad;
};

/* What the probe and user space tell each other while running (the probe's
 * one-slot `state` array). Failed creations convict only a replicating
 * line (the harm rule; and at a full pids.max a bomb's leaves become nodes
 * only by trying) or a process holding FW_SPAWN_MIN live children, and
 * creations fail only near a limit: a cgroup's pids.max, RLIMIT_NPROC,
 * pid_max, threads-max. Containment needs a doomed child's first return
 * only while it acts. Without kprobes the returns are syscall exit
 * tracepoints, which tax every syscall on the machine, so user space
 * attaches them only while needed: the probe names a candidate (a node
 * whose line just ranked 2 or more, or such a creator) and user space
 * looks at the limits that bind it; containment asks outright (hot_ns). */
struct fw_state {
	__u64 hot_ns;         /* probe: it last contained */
	__u64 candidate_ns;   /* probe: it last named a candidate (fw_candidate) */
	__u64 noted_ns;       /* probe: it last asked user space to look (FW_NOTE_RETURNS) */
	__u32 returns;        /* user space: failed creations are seen now (returns attached) */
	__u32 entries;        /* user space: entry probes are attached (pending holds the syscall) */
};

/* The candidates named lately (the probe's `candidates` array, a slot per
 * tgid % FW_CANDIDATES): user space looks at each while it is recent. */
#define FW_CANDIDATES 8
struct fw_candidate {
	__u64 ns;   /* last named */
	__u32 tgid;
	__u32 kids; /* its live children then (0 for a line) */
};

/* The record store (forkwatch_store.h): an array of 2^bits records, each
 * tagged with its tgid, a record in the first free of FW_PROC_CHOICES slots
 * fw_proc_slot_in gives its tgid. The first is tgid modulo the size: pids
 * are handed out in turn, so live ones rarely share it; the others
 * scatter. An array slot costs no hash, no allocation and no lock, and one
 * map keeps the verifier's paths few. A first slot counts the records
 * placed past it (fw_proc.moved), so a tgid without a record costs one
 * look. When all its choices hold records of others, a new record takes
 * the place of one that nothing depends on (fw_rec_evictable); only when
 * none may go is a process left untracked (FW_STAT_UNTRACKED). The probe
 * is compiled with its size (--records: FW_PROC_SLOT_BITS). */
#ifndef FW_PROC_SLOT_BITS
#define FW_PROC_SLOT_BITS 15
#endif
#define FW_PROC_SLOTS (1u << FW_PROC_SLOT_BITS)
#define FW_PROC_SLOT_BITS_MIN 10 /* --records from 1024 ... */
#define FW_PROC_SLOT_BITS_MAX 22 /* ... to 4194304 (PID_MAX_LIMIT) */
#define FW_PROC_CHOICES 3

/* Slots of the probe's doom_count array: dooms the probe made, dooms user
 * space lifted, dooms the probe dropped (their root's pid went to a new
 * process). MADE == LIFTED + DROPPED: none is active. One writer each. */
#define FW_DOOMS_MADE 0
#define FW_DOOMS_LIFTED 1
#define FW_DOOMS_DROPPED 2

/* Words of the kernel-thread bitmap: pids up to PID_MAX_LIMIT (4M). */
#define FW_KTHREAD_WORDS 65536

/* Slot choice (0 to FW_PROC_CHOICES - 1) of tgid in a store of 2^bits. */
FW_INLINE __u32 fw_proc_slot_in(__u32 tgid, __u32 choice, __u32 bits)
{
	if (choice == 0)
		return tgid & ((1u << bits) - 1);
	return ((tgid + choice) * 2654435761u) >> (32 - bits);
}

/* fw_state.hot_ns is rewritten at most this often (one shared line). */
#define FW_HOT_GRAIN_NS 10000000ULL
/* A note asks again after this long without an answer. */
#define FW_NOTE_AGAIN_NS 20000000ULL

/* fw_config.kill */
#define FW_KILL_ARMED 1u   /* --kill: verdicts contain */
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

/* fw_proc.flags */
#define FW_PROC_COPY 1u     /* it runs its creator's program: created by fork, and no exec
			     * of another program since */
#define FW_PROC_NODE 2u     /* it created while a copy (or as its lineage's origin): a node
			     * of the replication tree */
#define FW_PROC_DEAD 4u     /* it exited; the record stays while it ranks below a live line */
#define FW_PROC_OLD 8u      /* it predates the tool: created_ns is 0 */
#define FW_PROC_DOOMED 16u  /* created by a member of a doomed lineage: dies at its first return */
#define FW_PROC_EXECD 32u   /* it exec'd since it was created (any program) */
#define FW_PROC_LIVE 64u    /* it counts in its creator's kids_live */
#define FW_PROC_FERTILE 128u /* a copy of it created: its line replicates, and ranks */
#define FW_PROC_REEXEC 256u /* its last exec was of /proc/self/exe: its creator's own
			     * executable file, not only a program of the same name */

/* One record per process (keyed by tgid): its place in the lineage, its
 * rank as a replicator, its chain, and its own creation counters. */
struct fw_proc {
	__u64 created_ns;        /* 0: it predates the tool */
	__u64 parent_created_ns; /* its creator's created_ns: tells the creator from a reused pid */
	__u64 start_ns;          /* its program's start: creation or the last exec seen; 0 unknown */
	__u32 ppid;              /* its creator (tgid); 0 unknown */
	__u32 flags;             /* FW_PROC_* */
	__u32 uid;
	__u32 anc[FW_ANC];       /* anc[0] its creator, anc[1] the creator's creator, ...; 0 unknown */
	char comm[FW_COMM_LEN];
	/* Replication. */
	__u32 node_kids;         /* children that created while copies of it */
	__u32 away_kids;         /* children that exec'd another program before creating */
	__u64 rank_ns;           /* when its rank last rose to FW_LINE_RANK: it began to branch */
	__u16 lines[FW_RANK_MAX + 1]; /* lines[r]: children whose lines give it rank r (r >= 1) */
	__u8 rank;               /* its branching rank: 1 for a node without lines, 0 no node */
	__u8 top;                /* the highest r with lines[r] */
	__u8 given;              /* the rank its own line gives its creator's lines[]; 0 none */
	__u8 strong;             /* lines of rank >= FW_LINE_RANK: lines that branch themselves */
	/* Chain: inherited from a young, pure creator. */
	__u32 chain_root;        /* the chain's first process */
	__u32 chain_next;        /* ... and its second: the first that a chain member made */
	__u64 chain_root_ns;     /* the first one's created_ns (its identity) */
	struct fw_window chain;  /* generations along the chain, per window */
	struct fw_ratelimit chain_rl;
	/* Its own creations. */
	__s32 kids_live;         /* its children alive */
	__s32 kids_rec;          /* its children that have records */
	__u32 children;          /* processes it created since the tool started */
	__s32 live_threads;
	struct fw_window procs;  /* processes it created, per window */
	struct fw_window threads;
	struct fw_window fails;  /* its creations that failed, per window */
	struct fw_ratelimit rl;  /* verdicts naming it */
	struct fw_ratelimit proc_rl;
	struct fw_ratelimit thread_rl;
	__u32 kill_reported;     /* a limit or thread kill of it was reported */
	__u32 tgid;              /* whose record it is: the probe's store tags its slots */
	__u32 moved;             /* the store: records whose first choice is this slot that
				  * sit in another (kept across the records it holds) */
	__u32 self_kids;         /* children whose first exec was of /proc/self/exe: copies
				  * of its very executable file (posix_spawn, vfork bombs) */
};

/* A doomed lineage (the probe's `marks` map, keyed by the root's tgid):
 * every process below the root created from since_ns on, and the root
 * itself when whole, dies at its next fork. */
struct fw_doom {
	__u64 since_ns;  /* members created from then on */
	__u32 whole;     /* the root itself too */
	__u32 killed;    /* SIGKILLs the probe sent for it (dry run: due) */
};

/* One verdict (or kill), kernel to user space through the perf buffer. */
struct fw_alert {
	__u64 ts_ns;          /* bpf_ktime_get_ns() */
	__u32 kind;           /* enum fw_rule */
	__u32 action;         /* enum fw_action */
	__u32 pid;            /* thread that made the last child (or tried to) */
	__u32 tgid;           /* its process */
	__u32 ppid;           /* that process's creator, 0 if unknown */
	__u32 uid;
	__u32 child;          /* the task just created (0: a failed creation) */
	__u32 syscall;        /* enum fw_syscall that made the child */
	char comm[FW_COMM_LEN];
	__u32 root;           /* the process named */
	__u32 root_ppid;
	__u64 root_created_ns;  /* its record's identity (0: it predates the tool) */
	__u64 root_start_ns;    /* its program's start (0: unknown) */
	char root_comm[FW_COMM_LEN];
	__u32 count;          /* the figure of the rule */
	__u32 threshold;
	__u32 rank;           /* replicator: the root's rank */
	__u32 strong;         /* ... its lines that replicate (children of rank >= 2) */
	__u32 kids_live;      /* the root's live children */
	__u32 fails;          /* the root's failed creations in the window */
	__u32 window_count;   /* the creator's creations in the window */
	__u32 suppressed;     /* verdicts held back since the previous one */
	__u32 spared;         /* FW_ACT_SPARED: enum fw_spared */
	__u32 whole;          /* doomed: the root itself too */
	__u64 doomed_since_ns;  /* doomed: members created from then on */
	__u32 repeat;         /* held back by the once-per-window report limit: goes
			       * out only with a containment it starts */
	__u32 pad;
	__u64 cgroup_id;      /* the creator's cgroup v2 id at the verdict: who it was
			       * when none of its processes is left to read (0 unknown) */
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

/* --- The model's decisions ------------------------------------------ */

/* A child of at least this rank is a line that replicates: it branched
 * below itself. Two of them, and a node is where a bomb branches. */
#define FW_LINE_RANK 2

/* Is a node pure: did more of its decided children replicate (create
 * while copies) than leave for another program? A shell's children are
 * mostly commands; make's are compilers; a bomb's are copies of itself. */
FW_INLINE int fw_is_pure(const struct fw_proc *p)
{
	return p->node_kids >= p->away_kids;
}

/* Was its program started less than a window before now? */
FW_INLINE int fw_is_young(const struct fw_proc *p, __u64 now, const struct fw_config *cfg)
{
	return p->start_ns && now >= p->start_ns && now - p->start_ns < cfg->window_ns;
}

/* Had its program run longer than --established (or since before the tool
 * started, unseen) at now? Such a process is presumed to be a server or a
 * shell: when named it is reported, and only what it created since the
 * episode began is killed. */
FW_INLINE int fw_is_established(const struct fw_proc *p, __u64 now, const struct fw_config *cfg)
{
	return !p->start_ns || (now > p->start_ns && now - p->start_ns >= cfg->established_ns);
}

/* Is filename (the first bytes given to execve) /proc/self/exe: the
 * kernel's own name for the caller's executable, which names the process
 * "exe"? Spelt out: the probe has no read-only data section for a string. */
FW_INLINE int fw_self_exe(const char *filename)
{
	return filename[0] == '/' && filename[1] == 'p' && filename[2] == 'r' &&
	       filename[3] == 'o' && filename[4] == 'c' && filename[5] == '/' &&
	       filename[6] == 's' && filename[7] == 'e' && filename[8] == 'l' &&
	       filename[9] == 'f' && filename[10] == '/' && filename[11] == 'e' &&
	       filename[12] == 'x' && filename[13] == 'e' && filename[14] == 0;
}

/* After an exec: is the new program the one it ran before? The same
 * command name, or a re-exec through /proc/self/exe. */
FW_INLINE int fw_same_program(const char *old_comm, const char *new_comm, const char *filename)
{
	int i, same = 1;

FW_UNROLL
	for (i = 0; i < FW_COMM_LEN; i++) {
		if (old_comm[i] != new_comm[i]) {
			same = 0;
			break;
		}
		if (!old_comm[i])
			break;
	}
	return same || fw_self_exe(filename);
}

/* The record of a process that predates the tool, made when it first
 * creates (start_ns 0: its program's age is unknown, so it counts as
 * established) or execs (start_ns: the exec). It is its own chain's
 * root and no copy of anything. */
FW_INLINE void fw_rec_old(struct fw_proc *r, __u32 tgid, __u64 start_ns, __u32 uid)
{
	__builtin_memset(r, 0, sizeof(*r));
	r->flags = FW_PROC_OLD;
	r->start_ns = start_ns;
	r->uid = uid;
	r->chain_root = tgid;
}

/* A process starts a chain of its own (it was created by an old or busy
 * creator, or exec'd another program). */
FW_INLINE void fw_chain_start(struct fw_proc *r, __u32 tgid)
{
	r->chain_root = tgid;
	r->chain_root_ns = r->created_ns;
	r->chain_next = 0;
	__builtin_memset(&r->chain, 0, sizeof(r->chain));
	__builtin_memset(&r->chain_rl, 0, sizeof(r->chain_rl));
}

/* Does a child inherit its creator's chain? Only from a creator whose
 * program is young (it creates at once, as every member of a chain does)
 * and pure (not a shell running commands). */
FW_INLINE int fw_chain_inherits(const struct fw_proc *p, __u64 now, const struct fw_config *cfg)
{
	return fw_is_young(p, now, cfg) && fw_is_pure(p);
}

/* Fills the record of child_tgid, just created by p (tgid parent_tgid) at
 * now. Returns the chain's generations in the window, this one included. */
FW_INLINE __u32 fw_rec_child(struct fw_proc *c, const struct fw_proc *p, __u32 parent_tgid,
			     __u32 child_tgid, __u64 now, __u32 uid, const char *comm,
			     const struct fw_config *cfg)
{
	__builtin_memset(c, 0, sizeof(*c));
	c->created_ns = now;
	c->start_ns = now;
	c->parent_created_ns = p->created_ns;
	c->ppid = parent_tgid;
	c->flags = FW_PROC_COPY | FW_PROC_LIVE;
	c->uid = uid;
	__builtin_memcpy(c->comm, comm, FW_COMM_LEN);
	c->anc[0] = parent_tgid;
	__builtin_memcpy(&c->anc[1], &p->anc[0], sizeof(c->anc) - sizeof(c->anc[0]));
	if (fw_chain_inherits(p, now, cfg)) {
		c->chain_root = p->chain_root;
		c->chain_root_ns = p->chain_root_ns;
		c->chain_next = p->chain_root == parent_tgid ? child_tgid : p->chain_next;
		c->chain = p->chain;
		c->chain_rl = p->chain_rl;
	} else {
		fw_chain_start(c, child_tgid);
	}
	return fw_window_add(&c->chain, now, cfg->window_ns);
}

/* A node's branching rank from its lines: one above its strongest line
 * when a second line is at most one rank below it, else its strongest
 * line's (1 without lines). Two equal lines is the Horton-Strahler number;
 * allowing the second one rank lower is what lets a bomb whose members
 * fork one child after another (for (;;) fork()) show within a few
 * generations, as fast as one whose members fork two at once (:|:&). A
 * server's one generation of workers, and a shell's commands, stay at 1 or
 * 2. */
FW_INLINE __u8 fw_rank_of(const struct fw_proc *p)
{
	__u32 top = p->top & FW_RANK_MAX;

	if (!top)
		return 1;
	if (p->lines[top] >= 2 || (top >= 2 && p->lines[(top - 1) & FW_RANK_MAX] >= 1))
		return top < FW_RANK_MAX ? top + 1 : FW_RANK_MAX;
	return top;
}

/* p becomes a node: it created while a copy (or as its lineage's origin). */
FW_INLINE void fw_rank_start(struct fw_proc *p)
{
	p->flags |= FW_PROC_NODE;
	p->rank = fw_rank_of(p);
}

/* now, or the clock (FW_CLOCK: the probe's bpf_ktime_get_ns) where the
 * caller left it unread (0): a release reads it only in the rare case that
 * it needs it (fw_rec_release). */
FW_INLINE __u64 fw_now(__u64 now)
{
	return now ? now : FW_CLOCK();
}

/* A line of node q moves from rank a to rank b (0: none; at most
 * FW_RANK_MAX): a child's line began to count, rose, fell, or left (its
 * record went, it exec'd another program, it is no longer pure). Returns
 * q's rank after it. Nothing here depends on time: a line counts while its
 * record is there, so that a bomb that grows slowly (a CPU quota, a busy
 * or emulated CPU) ranks as deep as a fast one, and a shell or a server,
 * whose finished children leave, does not add ranks up over its life.
 * now: when (0: not read yet, see fw_now). */
FW_INLINE __u8 fw_lines_move(struct fw_proc *q, __u32 a, __u32 b, __u64 now)
{
	__u32 i, top;
	__u8 old = q->rank;

	a &= FW_RANK_MAX;
	b &= FW_RANK_MAX;
	if (a) {
		if (q->lines[a])
			q->lines[a]--;
		if (a >= FW_LINE_RANK && q->strong)
			q->strong--;
	}
	if (b) {
		if (q->lines[b] < 0xffff)
			q->lines[b]++;
		if (b >= FW_LINE_RANK && q->strong < 255)
			q->strong++;
	}
	top = q->top & FW_RANK_MAX;
	if (b > top) {
		q->top = (__u8)b;
	} else if (a && a == top && !q->lines[a]) {
		/* Its strongest line fell or left: the next one down. */
		top = 0;
FW_UNROLL
		for (i = FW_RANK_MAX; i >= 1; i--) {
			if (i < a && q->lines[i]) {
				top = i;
				break;
			}
		}
		q->top = (__u8)top;
	}
	q->rank = (q->flags & FW_PROC_NODE) ? fw_rank_of(q) : 0;
	if (old < FW_LINE_RANK && q->rank >= FW_LINE_RANK)
		q->rank_ns = fw_now(now);
	return q->rank;
}

/* The rank x's line gives its creator: its own, while x is a pure copy a
 * copy of which created (a line that replicates); else none. */
FW_INLINE __u32 fw_line_gives(const struct fw_proc *x)
{
	if (!(x->flags & FW_PROC_FERTILE) || !(x->flags & FW_PROC_COPY) || !x->ppid ||
	    !fw_is_pure(x))
		return 0;
	return x->rank & FW_RANK_MAX;
}

/* Does the naming climb from a named node x to its creator q? Only to a
 * pure node with two lines that replicate: the bomb branches there too, so
 * the node below is only one of its lines, however far ahead. A script
 * that started one bomb is not one (one line), nor a shell (impure). */
FW_INLINE int fw_name_climbs(const struct fw_proc *q, const struct fw_proc *x, __u64 now,
			     const struct fw_config *cfg)
{
	if (!fw_is_pure(q))
		return 0;
	if (q->strong >= 2)
		return 1;
	/* Or q is where the bomb's first moments race. In each case below q
	 * has made nothing but copies, as a bomb's root does: a script whose
	 * subshell is the bomb and that goes on with commands (sleep 1 in a
	 * loop) is the bomb's parent, not its root. */
	if (q->node_kids < 1 || q->away_kids)
		return 0;
	/* q made one and tries to make more, and fails, young or not: on two
	 * CPUs a root can be starved after its first fork until its first
	 * child's lineage has filled the pids.max it shares (an established
	 * one is then only reported, and what it made in the episode
	 * killed). */
	if (fw_window_estimate(&q->fails, now, cfg->window_ns) > 0)
		return 1;
	if (!fw_is_young(q, now, cfg))
		return 0;
	/* q made the one child that replicates and exited: dash runs f|f& in a
	 * subshell of its own, and its bomb's first process is gone before the
	 * subshell branches. */
	if (q->flags & FW_PROC_DEAD)
		return 1;
	/* q began replicating just now, into two or more copies of which one
	 * at least replicates already: the bash bomb's :|: halves race, and a
	 * for (;;) fork() root's first child may run away before its second
	 * has run at all. Not across an exec: x began its program with an
	 * exec of the same name (or it would be no copy), and q's other
	 * child may be a command that has not exec'd yet: a bash script
	 * running bash -c '...' and then its next command, a container's bash
	 * init running "$@" & and then sleep. A script that started one bomb
	 * in a subshell made one child and lives on (it waits, or goes on
	 * with its work). */
	if (q->children < 2)
		return 0;
	if (!(x->flags & FW_PROC_EXECD))
		return 1;
	/* Across an exec only where x re-exec'd q's own executable file
	 * (/proc/self/exe: posix_spawn and vfork bombs, whose children exec
	 * before their creator runs again) and so did a second child of q:
	 * q copies its very self, twice at least. A command q started beside
	 * x, not exec'd yet, is no such child, nor one that exec'd another
	 * file of the same name. */
	return (x->flags & FW_PROC_REEXEC) && q->self_kids >= 2;
}

/* Is a failing creator a spawner? It holds FW_SPAWN_MIN live children:
 * its own creations filled what binds it, not someone else's. */
FW_INLINE int fw_spawner_failing(const struct fw_proc *p)
{
	return p->kids_live >= FW_SPAWN_MIN;
}

FW_INLINE int fw_spawner_count(const struct fw_proc *p, const struct fw_config *cfg)
{
	return cfg->spawn_max && p->kids_live >= 0 && (__u32)p->kids_live >= cfg->spawn_max;
}

/* At exit: does the record stay? A node whose lines may still rank
 * through it: two children with records, or one below a node that ranks
 * already, or one below the first process of a program (it exec'd it, or
 * predates the tool: a dash bomb's root, gone before its subshell
 * branches, is what the naming climbs to). A bash bomb's members exit as
 * soon as they have forked; a chain's members, copies each with one
 * unranked child, go at once. */
FW_INLINE int fw_rec_keep_dead(const struct fw_proc *p)
{
	return (p->flags & FW_PROC_NODE) &&
	       (p->kids_rec >= 2 || (p->kids_rec >= 1 && (p->rank >= 2 || !(p->flags & FW_PROC_COPY))));
}

/* May record v give its slot to a new record, all of whose slots are
 * taken (a store smaller than the processes it is asked to track)? Only
 * one nothing depends on: no record below it, no part in a containment,
 * and either dead (a node kept for lines that have all gone) or a process
 * that never created a task and whose program has run for FW_RANK_EPOCH
 * windows. A bomb's newest members are leaves until they fork, and
 * young; a host's sleeping processes are old leaves. A creator is kept
 * while it lives: its counters are what --limit and the spawner, rate and
 * threads rules read. */
FW_INLINE int fw_rec_evictable(const struct fw_proc *v, __u64 now, const struct fw_config *cfg)
{
	if (v->kids_rec > 0 || (v->flags & FW_PROC_DOOMED))
		return 0;
	if (v->flags & FW_PROC_DEAD)
		return 1;
	if ((v->flags & FW_PROC_NODE) || v->threads.start_ns)
		return 0;
	return !v->start_ns ||
	       (now > v->start_ns && now - v->start_ns >= FW_RANK_EPOCH * cfg->window_ns);
}

/* How much a doom on a named root covers: members created since the
 * episode began, and the root itself unless its program is established
 * (a server whose copies went rogue, a root that predates the tool). */
FW_INLINE int fw_doom_whole(const struct fw_proc *root, __u64 now, const struct fw_config *cfg,
			    int never_killed)
{
	return !never_killed && !fw_is_established(root, now, cfg);
}

/* When the episode that named an established root began: for a
 * replicator, when its rank began to branch (FW_LINE_RANK), but no more
 * than FW_RANK_EPOCH windows back (also when that time is not known), so
 * that what a server made long before its lines ran away is kept; else its
 * program's start (a spawner). */
FW_INLINE __u64 fw_episode_start(const struct fw_proc *root, __u32 rule, __u64 now,
				 const struct fw_config *cfg)
{
	__u64 span = FW_RANK_EPOCH * cfg->window_ns;
	__u64 earliest = now > span ? now - span : 0;

	if (rule == FW_RULE_REPLICATOR)
		return root->rank_ns > earliest ? root->rank_ns : earliest;
	return root->start_ns;
}

/* Is a process created at created_ns (0: it predates the tool) covered by
 * a doom on itself (self), or on an ancestor? */
FW_INLINE int fw_doom_covers(const struct fw_doom *d, __u64 created_ns, int self)
{
	if (!d)
		return 0;
	if (self)
		return d->whole;
	return d->since_ns <= created_ns;
}

/* What the probe knows about a creating process when it decides on a kill
 * of its own (a rule about it, not about a lineage). */
struct fw_kill_facts {
	__u32 doomed;    /* it is in a doomed lineage */
	__u32 limit;     /* its command's --limit (limited != 0) */
	__u32 limited;
	__u32 children;  /* processes it created over its life, this one included */
};

/* Should the creator die for what it just did, before any rule? A member
 * of a doomed lineage (with --kill), or a process past its --limit. */
FW_INLINE __u32 fw_kill_reason_for(const struct fw_config *cfg, const struct fw_kill_facts *f,
				   __u32 *reason)
{
	if ((cfg->kill & FW_KILL_ARMED) && f->doomed) {
		*reason = FW_KILL_LINEAGE;
		return 1;
	}
	if ((cfg->kill & FW_KILL_LIMITS) && f->limited && f->children > f->limit) {
		*reason = FW_RULE_LIMIT;
		return 1;
	}
	return 0;
}

/* Never killed, whatever the reason: pid 1, kernel threads (kthreadd, pid
 * 2, what it made, and those user space found at start), and what user
 * space protects (the tool and its ancestors) or allows (--allow: the
 * caller's cause). Returns the enum fw_spared cause, 0 to kill. */
FW_INLINE __u32 fw_kill_exempt(__u32 tgid, int is_kthread, int is_protected, __u32 allowed)
{
	if (tgid == 1)
		return FW_SPARED_INIT;
	if (tgid == 2 || is_kthread)
		return FW_SPARED_KTHREAD;
	if (is_protected)
		return FW_SPARED_PROTECTED;
	return allowed;
}

#endif /* FORKWATCH_LOGIC_H */
