// SPDX-License-Identifier: GPL-2.0
/*
 * The detection logic of probes/forkwatch_logic.h (the same code the kernel
 * runs) driven by synthetic fork/exit sequences: sliding windows, the rate
 * limit, lineage, bursts, and naming the root of a burst.
 *
 * sim_fork/sim_exit replay the order of operations of the probe's map glue
 * (probes/forkwatch.bpf.c) over plain arrays indexed by pid; the glue itself
 * runs for real in the end-to-end tests.
 */
#include <stdlib.h>
#include <string.h>

#include "burst.h"
#include "check.h"
#include "forkwatch_logic.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define MAXPID 70000

struct sim {
	struct fw_config cfg;
	struct fw_proc procs[MAXPID];
	unsigned char tracked[MAXPID];
	struct fw_tree trees[MAXPID];
	unsigned char has_tree[MAXPID];
	struct fw_forker forkers[MAXPID];
	struct fw_hot hot[MAXPID]; /* --kill: kill.bpf.c's hot map */
	unsigned alerts[4];
	unsigned last_kind;
	struct fw_alert last;
	uint64_t first_alert_ns[4];
};

static struct sim *sim_new(void)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->cfg.window_ns = SEC;
	s->cfg.epoch_max_ns = FW_EPOCH_WINDOWS * SEC;
	s->cfg.proc_threshold = 5000;
	s->cfg.tree_threshold = 128;
	s->cfg.thread_threshold = 256;
	s->cfg.threads_enabled = 1;
	return s;
}

static void emit(struct sim *s, unsigned kind, uint32_t count, uint32_t suppressed, uint32_t creator,
		 uint64_t now)
{
	s->alerts[kind]++;
	if (!s->first_alert_ns[kind])
		s->first_alert_ns[kind] = now;
	s->last_kind = kind;
	memset(&s->last, 0, sizeof(s->last));
	s->last.kind = kind;
	s->last.count = count;
	s->last.suppressed = suppressed;
	s->last.tgid = creator;
	s->last.ts_ns = now;
}

/* A process created while its tree is hot: fw_hot_count. */
static void sim_hot_count(struct sim *s, const struct fw_proc *child, struct fw_tree *t)
{
	uint32_t *active = &t->hot_active, *copies = &t->hot_copies, *most = &t->hot_most;
	int i;

	t->hot_created++;
	if (child->depth == 1)
		t->hot_direct++;
	for (i = 0; i < FW_TOP_DEPTH && (uint32_t)i + 1 < child->depth; i++) {
		struct fw_hot *h = &s->hot[child->top[i]];

		if (h->epoch_ns != t->hot_epoch_ns)
			*h = (struct fw_hot){ .epoch_ns = t->hot_epoch_ns };
		if (h->below == 0) {
			(*active)++;
			if (child->copies & (1u << i))
				(*copies)++;
		}
		h->below++;
		if (h->below > *most)
			*most = h->below;
		if ((uint32_t)i + 2 == child->depth)
			h->direct++;
		active = &h->active;
		copies = &h->copies;
		most = &h->most;
	}
}

/* What a creator's lineage names when its tree is over the kill threshold
 * (fw_name_root without the spawner's rate): -1 for nothing, else the
 * process (the tree root at level 0). */
static long sim_doom_names(struct sim *s, uint32_t creator, uint32_t tree_root)
{
	const struct fw_tree *t = &s->trees[tree_root];
	const struct fw_proc *r = &s->procs[creator];
	struct fw_hot_path p = { .below = { t->hot_created }, .direct = { t->hot_direct },
				 .active = { t->hot_active }, .copies = { t->hot_copies },
				 .most = { t->hot_most } };
	int i, level;

	if (s->tracked[creator]) {
		p.depth = r->depth;
		p.copy = fw_path_copies(r);
		for (i = 0; i < FW_TOP_DEPTH && (uint32_t)i < r->depth; i++) {
			const struct fw_hot *h = &s->hot[r->top[i]];

			if (h->epoch_ns != t->hot_epoch_ns)
				continue;
			p.below[i + 1] = h->below;
			p.direct[i + 1] = h->direct;
			p.active[i + 1] = h->active;
			p.copies[i + 1] = h->copies;
			p.most[i + 1] = h->most;
		}
	}
	level = fw_doom_level(&p);
	return level == FW_DOOM_NONE ? -1 : level == 0 ? (long)tree_root : (long)r->top[level - 1];
}

/* parent (a tgid) creates child at now: fw_new_process / fw_new_thread. */
static void sim_create(struct sim *s, uint32_t parent, uint32_t child, uint64_t now, int thread)
{
	struct fw_forker *f = &s->forkers[parent];
	uint32_t suppressed = 0, rate;

	if (thread) {
		if (!s->cfg.threads_enabled)
			return;
		f->live_threads++;
		rate = fw_window_add(&f->threads, now, s->cfg.window_ns);
		if (rate >= s->cfg.thread_threshold &&
		    fw_ratelimit_pass(&f->thread_rl, now, s->cfg.window_ns, &suppressed))
			emit(s, FW_ALERT_THREADS, rate, suppressed, parent, now);
		return;
	}
	struct fw_proc *creator = s->tracked[parent] ? &s->procs[parent] : NULL;
	struct fw_proc rec = { 0 };

	fw_lineage_child(&rec, creator, parent, child, now);
	if (!s->has_tree[rec.root]) {
		memset(&s->trees[rec.root], 0, sizeof(s->trees[0]));
		s->has_tree[rec.root] = 1;
	}
	s->procs[child] = rec;
	s->tracked[child] = 1;
	struct fw_tree *t = &s->trees[rec.root];
	int32_t burst_live = fw_tree_join(t, now, &s->cfg);

	if ((s->cfg.kill & FW_KILL_ARMED) && burst_live >= (int32_t)s->cfg.kill_hot)
		sim_hot_count(s, &s->procs[child], t);

	if (burst_live >= (int32_t)s->cfg.tree_threshold &&
	    fw_ratelimit_pass(&t->rl, now, s->cfg.window_ns, &suppressed))
		emit(s, FW_ALERT_TREE, (uint32_t)burst_live, suppressed, parent, now);
	rate = fw_window_add(&f->procs, now, s->cfg.window_ns);
	if (rate >= s->cfg.proc_threshold &&
	    fw_ratelimit_pass(&f->proc_rl, now, s->cfg.window_ns, &suppressed))
		emit(s, FW_ALERT_PROCESS, rate, suppressed, parent, now);
}

static void sim_fork(struct sim *s, uint32_t parent, uint32_t child, uint64_t now)
{
	sim_create(s, parent, child, now, 0);
}

/* exec: the sched_process_exec handler. */
static void sim_exec(struct sim *s, uint32_t pid)
{
	if (s->tracked[pid])
		s->procs[pid].flags |= FW_PROC_EXECD;
}

/* Process exit: the group_dead branch of the exit tracepoint. */
static void sim_exit(struct sim *s, uint32_t pid)
{
	if (s->tracked[pid]) {
		uint32_t root = s->procs[pid].root;

		if (s->has_tree[root]) {
			fw_tree_leave(&s->trees[root], s->procs[pid].created_ns);
			if (fw_tree_done(&s->trees[root]))
				s->has_tree[root] = 0;
		}
		s->tracked[pid] = 0;
	}
	if (s->has_tree[pid]) {
		s->trees[pid].root_gone = 1;
		if (fw_tree_done(&s->trees[pid]))
			s->has_tree[pid] = 0;
	}
	memset(&s->forkers[pid], 0, sizeof(s->forkers[0]));
}

/* The live members of one tree, as user space reads them from the map. */
static size_t sim_members(struct sim *s, uint32_t root, struct fw_member *m)
{
	size_t n = 0;

	for (uint32_t pid = 1; pid < MAXPID; pid++) {
		if (!s->tracked[pid] || s->procs[pid].root != root)
			continue;
		m[n].tgid = pid;
		m[n].created_ns = s->procs[pid].created_ns;
		m[n].depth = s->procs[pid].depth;
		m[n].flags = s->procs[pid].flags;
		memcpy(m[n].top, s->procs[pid].top, sizeof(m[n].top));
		n++;
	}
	return n;
}

static void test_window(void)
{
	struct fw_window w = { 0 };
	uint32_t est = 0;
	int i;

	for (i = 0; i < 10; i++)
		est = fw_window_add(&w, 1 * SEC + (uint64_t)i * MS, SEC);
	CHECK_EQ_U(est, 10);
	CHECK_EQ_U(fw_window_estimate(&w, 1 * SEC + 10 * MS, SEC), 10);
	/* Half a window later the old bucket counts for half. */
	CHECK_EQ_U(fw_window_add(&w, 2 * SEC + 500 * MS, SEC), 1 + 5);
	/* Two quiet windows forget everything. */
	CHECK_EQ_U(fw_window_estimate(&w, 5 * SEC, SEC), 0);
	CHECK_EQ_U(fw_window_add(&w, 5 * SEC, SEC), 1);

	/* A steady 1000 per second reads as about 1000. */
	memset(&w, 0, sizeof(w));
	for (i = 0; i < 3000; i++)
		est = fw_window_add(&w, 10 * SEC + (uint64_t)i * MS, SEC);
	CHECK(est >= 998 && est <= 1001);
	/* An older time (another CPU's, read before this one's) counts at the
	 * window's start: no wrap, nothing forgotten (1000 in each bucket). */
	CHECK_EQ_U(fw_window_add(&w, 1 * SEC, SEC), 2001);
}

static void test_ratelimit(void)
{
	struct fw_ratelimit rl = { 0 };
	uint32_t supp = 99;

	CHECK(fw_ratelimit_pass(&rl, 1 * SEC, SEC, &supp) == 1);
	CHECK_EQ_U(supp, 0);
	CHECK(fw_ratelimit_pass(&rl, 1 * SEC + 500 * MS, SEC, &supp) == 0);
	CHECK(fw_ratelimit_pass(&rl, 1 * SEC + 900 * MS, SEC, &supp) == 0);
	CHECK(fw_ratelimit_pass(&rl, 2 * SEC, SEC, &supp) == 1);
	CHECK_EQ_U(supp, 2); /* the two held back are reported with the next */
	CHECK(fw_ratelimit_pass(&rl, 3 * SEC + 1, SEC, &supp) == 1);
	CHECK_EQ_U(supp, 0);
}

static void test_lineage(void)
{
	struct fw_proc chain[12];
	uint32_t i;

	fw_lineage_child(&chain[0], NULL, 100, 101, 5);
	CHECK_EQ_U(chain[0].root, 100);
	CHECK_EQ_U(chain[0].ppid, 100);
	CHECK_EQ_U(chain[0].depth, 1);
	CHECK_EQ_U(chain[0].top[0], 101);
	CHECK_EQ_U(chain[0].top[1], 0);
	for (i = 1; i < 12; i++)
		fw_lineage_child(&chain[i], &chain[i - 1], 100 + i, 101 + i, 5 + i);
	CHECK_EQ_U(chain[11].root, 100);
	CHECK_EQ_U(chain[11].depth, 12);
	CHECK_EQ_U(chain[11].ppid, 111);
	for (i = 0; i < FW_TOP_DEPTH; i++)
		CHECK_EQ_U(chain[11].top[i], 101 + i); /* the first 8 hops from the root */
}

/* The bash bomb: every member forks two and exits. T (the shell that ran
 * the script) predates the tool; F is fork_bomb.sh; B the bomb's root. */
static void test_classic_bomb(void)
{
	struct sim *s = sim_new();
	static uint32_t gen[2][1 << 12];
	struct fw_member *m = calloc(MAXPID, sizeof(*m));
	uint32_t next = 1000, n = 0, depth, root;
	uint64_t now = 100 * SEC;
	size_t count, g, i;

	sim_fork(s, 10, 20, now);      /* T forks F, which execs bash */
	sim_exec(s, 20);
	sim_fork(s, 20, 30, now + MS); /* F forks B, which execs bash -c ':(){...' */
	sim_exec(s, 30);
	gen[0][n++] = 30;
	for (g = 0; g < 9 && !s->alerts[FW_ALERT_TREE]; g++) {
		uint32_t nn = 0;

		now += MS;
		for (i = 0; i < n; i++) {
			gen[(g + 1) % 2][nn++] = next;
			sim_fork(s, gen[g % 2][i], next++, now);
			gen[(g + 1) % 2][nn++] = next;
			sim_fork(s, gen[g % 2][i], next++, now);
			sim_exit(s, gen[g % 2][i]);
		}
		n = nn;
	}
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 1);
	CHECK_EQ_U(s->alerts[FW_ALERT_PROCESS], 0);
	CHECK_EQ_U(s->last.count, 128); /* it fires at the threshold, not later */
	CHECK(s->first_alert_ns[FW_ALERT_TREE] - 100 * SEC < 10 * MS);

	/* The tree is T's; the walk names B, although B is already gone. */
	count = sim_members(s, 10, m);
	CHECK(count >= 128);
	root = fw_burst_root(10, m, count, s->trees[10].burst_start_ns, FW_BURST_SHARE_PCT, &depth);
	CHECK_EQ_U(root, 30);
	CHECK_EQ_U(depth, 2);
	CHECK(!s->tracked[30]);

	/* Still growing in the same window: held back and counted (the rest of
	 * the last generation too), then one alert per window. */
	for (i = 0; i < 50; i++)
		sim_fork(s, 20, next++, now + 100 * MS);
	sim_fork(s, 20, next++, now + 600 * MS);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 1);
	sim_fork(s, 20, next++, now + 1050 * MS);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 2);
	CHECK(s->last.suppressed >= 51);
	/* A full quiet window ends the burst: the next member starts afresh. */
	sim_fork(s, 20, next++, now + 2100 * MS);
	CHECK_EQ_U(s->trees[10].burst_live, 1);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 2);
	free(m);
	free(s);
}

/* A shell running 5,000 short commands: fast, but never many alive. */
static void test_shell_loop_is_silent(void)
{
	struct sim *s = sim_new();
	uint64_t now = 50 * SEC;
	uint32_t i;

	sim_fork(s, 10, 20, now); /* the shell */
	for (i = 0; i < 5000; i++) {
		now += 700000; /* 0.7 ms: ~1,400 per second, faster than measured */
		sim_fork(s, 20, 1000 + i, now);
		sim_exit(s, 1000 + i);
	}
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE] + s->alerts[FW_ALERT_PROCESS], 0);
	CHECK_EQ_U(s->trees[10].live, 1);
	free(s);
}

/* A pre-forking server starts 32 workers at once and keeps them. */
static void test_prefork_server_is_silent(void)
{
	struct sim *s = sim_new();
	uint32_t i;

	sim_fork(s, 10, 20, SEC);
	for (i = 0; i < 32; i++)
		sim_fork(s, 20, 100 + i, SEC + i * 1000);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE] + s->alerts[FW_ALERT_PROCESS], 0);
	CHECK_EQ_U(s->trees[10].burst_live, 33);
	free(s);
}

/* One shell starting 'sleep 9999 &' at the original script's pace (10
 * every 2 s): too slow for any rate, caught by what stays alive. */
static void test_slow_spawn_is_caught(void)
{
	struct sim *s = sim_new();
	uint64_t now = 10 * SEC;
	uint32_t i;

	sim_fork(s, 10, 20, now);
	for (i = 0; i < 200 && !s->alerts[FW_ALERT_TREE]; i++)
		sim_fork(s, 20, 1000 + i, now + (uint64_t)(i + 1) * 200 * MS);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 1);
	/* member 127 (plus the shell itself) at 127 * 0.2 s */
	CHECK(s->first_alert_ns[FW_ALERT_TREE] - now >= 25 * SEC);
	CHECK(s->first_alert_ns[FW_ALERT_TREE] - now <= 26 * SEC);
	free(s);
}

/* A quiet window ends a burst: long-lived members from before stop counting,
 * and their exits do not eat into the new burst. */
static void test_quiet_gap_starts_new_burst(void)
{
	struct sim *s = sim_new();
	uint32_t i;

	for (i = 0; i < 100; i++)
		sim_fork(s, 10, 100 + i, SEC + i * MS);
	CHECK_EQ_U(s->trees[10].burst_live, 100);
	for (i = 0; i < 100; i++)
		sim_fork(s, 10, 300 + i, 3 * SEC + i * MS);
	CHECK_EQ_U(s->trees[10].live, 200);
	CHECK_EQ_U(s->trees[10].burst_live, 100);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 0);
	for (i = 0; i < 100; i++)
		sim_exit(s, 100 + i); /* old members leave */
	CHECK_EQ_U(s->trees[10].burst_live, 100);
	CHECK_EQ_U(s->trees[10].live, 100);
	for (i = 0; i < 100; i++)
		sim_exit(s, 300 + i);
	CHECK_EQ_U(s->trees[10].burst_live, 0);
	CHECK(s->has_tree[10]); /* the root is alive: keep its tree */
	sim_exit(s, 10);
	CHECK(!s->has_tree[10]);
	free(s);
}

/* Two CPUs create in one tree at once: a program reads the clock, another
 * CPU joins the tree with a later time, then the first joins with its
 * earlier one. That is no quiet gap: the burst, the windows and the rate
 * limit go on (once, a burst restarted here at every such race, and a bomb
 * on two CPUs could take seconds to reach the thresholds). */
static void test_concurrent_clocks(void)
{
	struct sim *s = sim_new();
	struct fw_window w = { 0 };
	struct fw_ratelimit rl = { 0 };
	uint32_t i, suppressed = 0;
	uint64_t t0 = SEC;

	for (i = 0; i < 200; i++) /* pairs: the second CPU's time is 1 µs older */
		sim_fork(s, 10, 100 + i, t0 + (i / 2) * 50000 + (i % 2 ? 0 : 1000));
	CHECK_EQ_U(s->trees[10].burst_live, 200);
	CHECK_EQ_U(s->trees[10].burst_created, 200);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 1);
	CHECK_EQ_U(s->trees[10].burst_start_ns, t0 + 1000);

	CHECK_EQ_U(fw_window_add(&w, 10 * SEC, SEC), 1);
	CHECK_EQ_U(fw_window_add(&w, 10 * SEC - 1000, SEC), 2);
	CHECK_EQ_U(fw_window_add(&w, 10 * SEC + 1000, SEC), 3);
	CHECK_EQ_U(fw_window_estimate(&w, 10 * SEC - 1000, SEC), 3);

	CHECK(fw_ratelimit_pass(&rl, 10 * SEC, SEC, &suppressed));
	CHECK(!fw_ratelimit_pass(&rl, 10 * SEC - 1000, SEC, &suppressed));
	CHECK(!fw_ratelimit_pass(&rl, 10 * SEC + 1000, SEC, &suppressed));
	CHECK(fw_ratelimit_pass(&rl, 11 * SEC, SEC, &suppressed));
	CHECK_EQ_U(suppressed, 2);
	free(s);
}

/* A bomb stalled at pids.max only fails to create; with --kill the probe
 * sees the failures (fw_tree_tried), and its burst goes on, stuck members
 * included. Without them, it would restart at the next success. */
static void test_stalled_burst(void)
{
	struct sim *s = sim_new();
	uint32_t i;

	for (i = 0; i < 300; i++)
		sim_fork(s, 10, 100 + i, SEC + i * MS / 10);
	CHECK_EQ_U(s->trees[10].burst_live, 300);
	for (i = 0; i < 30; i++) /* three seconds of failures */
		fw_tree_tried(&s->trees[10], SEC + 100 * MS + i * 100 * MS);
	sim_fork(s, 10, 400, 4 * SEC);
	CHECK_EQ_U(s->trees[10].burst_live, 301);
	/* Quiet for real (no tries either): a new burst. */
	sim_fork(s, 10, 401, 6 * SEC);
	CHECK_EQ_U(s->trees[10].burst_live, 1);
	free(s);
}

/* Steady, slow creation of long-lived members never becomes one endless
 * burst: it is re-based every FW_EPOCH_WINDOWS windows. */
static void test_epoch_limit(void)
{
	struct sim *s = sim_new();
	uint32_t i, max_burst = 0;

	for (i = 0; i < 400; i++) {
		sim_fork(s, 10, 100 + i, SEC + (uint64_t)i * 900 * MS);
		if ((uint32_t)s->trees[10].burst_live > max_burst)
			max_burst = (uint32_t)s->trees[10].burst_live;
	}
	CHECK_EQ_U(s->trees[10].live, 400);
	CHECK(max_burst <= 67);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 0);
	free(s);
}

/* for (;;) fork(); seen from one process whose children exit at once. */
static void test_process_rate(void)
{
	struct sim *s = sim_new();
	uint32_t i;

	for (i = 0; i < 6000; i++) {
		sim_fork(s, 10, 100 + (i % 60000), SEC + (uint64_t)i * 150000); /* 0.15 ms */
		sim_exit(s, 100 + (i % 60000));
	}
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE], 0);
	CHECK_EQ_U(s->alerts[FW_ALERT_PROCESS], 1);
	CHECK_EQ_U(s->last.tgid, 10);
	CHECK_EQ_U(s->last.count, 5000);
	/* The 5000th fork (at 1.75 s) alerted; the storm goes on at the same
	 * pace, and the next alert comes a window later with the held-back
	 * count. */
	for (i = 0; i < 10000; i++) {
		sim_fork(s, 10, 100 + i, 2 * SEC + (uint64_t)i * 150000);
		sim_exit(s, 100 + i);
	}
	CHECK_EQ_U(s->alerts[FW_ALERT_PROCESS], 2);
	CHECK(s->last.suppressed > 0);
	free(s);
}

static void test_threads(void)
{
	struct sim *s = sim_new();
	uint32_t i;

	for (i = 0; i < 300; i++)
		sim_create(s, 10, 100 + i, SEC + i * MS, 1);
	CHECK_EQ_U(s->alerts[FW_ALERT_THREADS], 1);
	CHECK_EQ_U(s->last.count, 256);
	CHECK_EQ_U(s->forkers[10].live_threads, 300);
	CHECK_EQ_U(s->alerts[FW_ALERT_TREE] + s->alerts[FW_ALERT_PROCESS], 0);
	free(s);

	s = sim_new();
	s->cfg.threads_enabled = 0;
	for (i = 0; i < 300; i++)
		sim_create(s, 10, 100 + i, SEC + i * MS, 1);
	CHECK_EQ_U(s->alerts[FW_ALERT_THREADS], 0);
	free(s);
}

static void add_member(struct fw_member *m, size_t *n, uint32_t tgid, const uint32_t *path,
		       uint32_t depth, uint64_t created)
{
	memset(&m[*n], 0, sizeof(m[0]));
	m[*n].tgid = tgid;
	m[*n].flags = FW_PROC_EXECD; /* unless a test says it is a copy */
	m[*n].depth = depth;
	m[*n].created_ns = created;
	for (uint32_t i = 0; i < depth && i < FW_TOP_DEPTH; i++)
		m[*n].top[i] = path[i];
	(*n)++;
}

static void test_burst_root(void)
{
	static struct fw_member m[2000];
	uint32_t path[12], depth, i;
	size_t n = 0;

	/* Nothing in the burst: the tree root itself. */
	CHECK_EQ_U(fw_burst_root(10, m, 0, 0, 90, &depth), 10);
	CHECK_EQ_U(depth, 0);

	/* A spawner S (depth 1) with 500 leaf children: S. */
	path[0] = 20;
	add_member(m, &n, 20, path, 1, 5);
	for (i = 0; i < 500; i++) {
		path[1] = 1000 + i;
		add_member(m, &n, 1000 + i, path, 2, 6);
	}
	CHECK_EQ_U(fw_burst_root(10, m, n, 0, 90, &depth), 20);
	CHECK_EQ_U(depth, 1);

	/* Members created before the burst are not part of it. */
	n = 0;
	path[0] = 20;
	for (i = 0; i < 300; i++) {
		path[1] = 2000 + i;
		add_member(m, &n, 2000 + i, path, 2, 1); /* old: an earlier burst */
	}
	path[0] = 30;
	for (i = 0; i < 100; i++) {
		path[1] = 3000 + i;
		add_member(m, &n, 3000 + i, path, 2, 50);
	}
	CHECK_EQ_U(fw_burst_root(10, m, n, 50, 90, &depth), 30);

	/* Below B two children each have descendants: the burst fans out at B,
	 * however lopsided the split (an early start grows exponentially). */
	n = 0;
	path[0] = 20;
	path[1] = 30;
	for (i = 0; i < 100; i++) {
		path[2] = i < 95 ? 41 : 42;
		path[3] = 4000 + i / 2; /* dead intermediates: generations, as in a bash bomb */
		path[4] = 5000 + i;
		add_member(m, &n, 5000 + i, path, 5, 9);
	}
	CHECK_EQ_U(fw_burst_root(10, m, n, 0, 90, &depth), 30);
	CHECK_EQ_U(depth, 2);

	/* One child holds the burst and its sibling is a leaf (a helper that
	 * ran once): the walk goes down into it when it exec'd a program of its
	 * own, or is gone... */
	n = 0;
	path[0] = 20;
	path[1] = 30;
	path[2] = 41;
	add_member(m, &n, 41, path, 3, 9);
	for (i = 0; i < 95; i++) {
		path[3] = 5000 + i;
		add_member(m, &n, 5000 + i, path, 4, 9);
	}
	path[2] = 42;
	add_member(m, &n, 42, path, 3, 9);
	CHECK_EQ_U(fw_burst_root(10, m, n, 0, 90, &depth), 41);
	CHECK_EQ_U(depth, 3);
	/* ...but not when it is a copy of B that never exec'd: that is
	 * for (;;) fork() with B starved early, and B is the bomb. */
	for (i = 0; i < n; i++)
		if (m[i].tgid == 41)
			m[i].flags = 0;
	CHECK_EQ_U(fw_burst_root(10, m, n, 0, 90, &depth), 30);
	CHECK_EQ_U(depth, 2);
	/* A dead dominant child: nothing says it was a copy, go down. */
	for (i = 0; i < n; i++)
		if (m[i].tgid == 41)
			m[i] = m[--n];
	CHECK_EQ_U(fw_burst_root(10, m, n, 0, 90, &depth), 41);

	/* A helper of F alive at alert time, with a child of its own (as in
	 * cur=$(cat f || echo 0)), is no fan-out: the walk still reaches B. */
	n = 0;
	path[0] = 20;
	path[1] = 30;
	add_member(m, &n, 30, path, 2, 9);
	for (i = 0; i < 150; i++) {
		path[2] = 6000 + i;
		path[3] = 7000 + i;
		add_member(m, &n, 7000 + i, path, 4, 9);
	}
	path[1] = 31;
	add_member(m, &n, 31, path, 2, 9);
	path[2] = 32;
	add_member(m, &n, 32, path, 3, 9);
	CHECK_EQ_U(fw_burst_root(10, m, n, 0, 90, &depth), 30);
	CHECK_EQ_U(depth, 2);

	/* A chain deeper than the stored path stops at the last stored hop. */
	n = 0;
	for (i = 0; i < 12; i++)
		path[i] = 100 + i;
	add_member(m, &n, 111, path, 12, 9);
	CHECK_EQ_U(fw_burst_root(10, m, n, 0, 90, &depth), 107);
	CHECK_EQ_U(depth, FW_TOP_DEPTH);
}

static void test_filters(void)
{
	struct fw_config cfg = { 0 };

	CHECK(fw_filter_pass(&cfg, 0, 1000, "bash"));
	cfg.filter = FW_FILTER_PID;
	CHECK(!fw_filter_pass(&cfg, 0, 1000, "bash"));
	CHECK(fw_filter_pass(&cfg, 1, 1000, "bash"));
	cfg.filter = FW_FILTER_UID;
	cfg.filter_uid = 1000;
	CHECK(fw_filter_pass(&cfg, 0, 1000, "bash"));
	CHECK(!fw_filter_pass(&cfg, 0, 0, "bash"));
	cfg.filter = FW_FILTER_COMM | FW_FILTER_UID;
	memcpy(cfg.filter_comm, "bash", 5);
	CHECK(fw_filter_pass(&cfg, 0, 1000, "bash"));
	CHECK(!fw_filter_pass(&cfg, 0, 1000, "bas"));   /* exact, not a prefix */
	CHECK(!fw_filter_pass(&cfg, 0, 1000, "bashx")); /* nor an extension */
	CHECK(!fw_filter_pass(&cfg, 0, 0, "bash"));     /* every filter must pass */
	memcpy(cfg.filter_comm, "fifteen-chars-x", 16);   /* the longest a comm can be */
	CHECK(fw_filter_pass(&cfg, 0, 1000, "fifteen-chars-x"));
}

static void test_kill_decisions(void)
{
	struct fw_config cfg = { .kill = FW_KILL_ARMED, .kill_tree = 256, .kill_proc = 10000 };
	struct fw_kill_facts f = { 0 };
	struct fw_doom all = { 0 }, burst = { .since_ns = 50 };

	/* Quiet, or over the burst threshold: nothing before the naming. */
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_NONE);
	CHECK(!fw_kill_tree_due(&cfg, &f));
	f.tree_live = 255;
	CHECK(!fw_kill_tree_due(&cfg, &f));
	f.tree_live = 256;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_NONE);
	CHECK(fw_kill_tree_due(&cfg, &f));
	/* A spawner made half the kill threshold itself in the window. */
	CHECK(fw_kill_spawner(&cfg, 128));
	CHECK(!fw_kill_spawner(&cfg, 127));
	/* Doomed lineages die whatever the counts; so does a process over the
	 * process kill threshold. */
	f.tree_live = 0;
	f.doomed = 1;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_LINEAGE);
	f.doomed = 0;
	f.rate = 10000;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_PROCESS);
	f.rate = 9999;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_NONE);
	/* Not armed (only --limit): thresholds never kill, dooms neither. */
	cfg.kill = FW_KILL_LIMITS;
	f.doomed = 1;
	f.tree_live = 1000;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_NONE);
	CHECK(!fw_kill_tree_due(&cfg, &f));
	/* Limits: the N+1th child kills; other commands are not limited. */
	f.limited = 1;
	f.limit = 5;
	f.children = 5;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_NONE);
	f.children = 6;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_LIMIT);
	f.limited = 0;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_NONE);
	f.limited = 1;
	f.limit = 0;
	f.children = 1;
	CHECK_EQ_U(fw_kill_reason_for(&cfg, &f), FW_KILL_LIMIT);

	/* A doom covers what was created from its since_ns on: all of a
	 * lineage, or the burst of a tree root (never the root itself, which
	 * predates the tool: created 0). */
	CHECK(fw_doom_covers(&all, 0));
	CHECK(fw_doom_covers(&all, 7));
	CHECK(!fw_doom_covers(&burst, 0));
	CHECK(!fw_doom_covers(&burst, 49));
	CHECK(fw_doom_covers(&burst, 50));
	CHECK(!fw_doom_covers(NULL, 50));
	CHECK_EQ_U(fw_kill_hot(256), 32);
	CHECK_EQ_U(fw_kill_hot(4), 1);

	/* Never, and why: pid 1, kthreadd and its tree or a kernel thread found
	 * at start, the tool and its ancestors, then the caller's --allow. */
	CHECK_EQ_U(fw_kill_exempt(1, 0, 0, 0, 0), FW_SPARED_INIT);
	CHECK_EQ_U(fw_kill_exempt(2, 0, 0, 0, 0), FW_SPARED_KTHREAD);
	CHECK_EQ_U(fw_kill_exempt(500, 2, 0, 0, 0), FW_SPARED_KTHREAD);
	CHECK_EQ_U(fw_kill_exempt(500, 500, 1, 0, 0), FW_SPARED_KTHREAD);
	CHECK_EQ_U(fw_kill_exempt(500, 400, 0, 1, FW_SPARED_COMM), FW_SPARED_PROTECTED);
	CHECK_EQ_U(fw_kill_exempt(500, 400, 0, 0, FW_SPARED_CGROUP), FW_SPARED_CGROUP);
	CHECK_EQ_U(fw_kill_exempt(500, 400, 0, 0, 0), FW_SPARED_NONE);
}

/* Which ancestors on a lineage were copies (had not exec'd) when they made
 * the next one: set at each fork from the creator's exec flag. */
static void test_lineage_copies(void)
{
	struct fw_proc shell = { 0 }, sub = { 0 }, bomb = { 0 }, member = { 0 };
	struct fw_hot_path p = { 0 };

	fw_lineage_child(&shell, NULL, 10, 20, 1);
	shell.flags |= FW_PROC_EXECD;                  /* 20 exec'd bash */
	fw_lineage_child(&sub, &shell, 20, 30, 2);     /* a subshell: a copy */
	fw_lineage_child(&bomb, &sub, 30, 40, 3);      /* made by the copy */
	CHECK_EQ_U(bomb.copies, 1u << 1);              /* top[1] = 30 was a copy */
	bomb.flags |= FW_PROC_EXECD;                   /* 40 exec'd bomb.sh */
	fw_lineage_child(&member, &bomb, 40, 50, 4);
	CHECK_EQ_U(member.copies, 1u << 1);            /* 40 had exec'd */
	/* By level (1: top[0]): 30 is level 2; the creator, as it is now. */
	CHECK_EQ_U(fw_path_copies(&member), (1u << 2) | (1u << 4));
	p.copy = fw_path_copies(&bomb);
	CHECK_EQ_U(p.copy, 1u << 2);
}

/* A path for fw_doom_level, given per level: below, direct, active,
 * copies, and which levels are copies. */
static struct fw_hot_path path_of(__u32 depth, const __u32 *below, const __u32 *direct,
				  const __u32 *active, const __u32 *copies, __u32 copy)
{
	struct fw_hot_path p = { .depth = depth, .copy = copy };
	__u32 i;

	for (i = 0; i <= FW_TOP_DEPTH; i++) {
		p.below[i] = below[i];
		p.direct[i] = direct ? direct[i] : 0;
		p.active[i] = active ? active[i] : 0;
		p.copies[i] = copies ? copies[i] : 0;
	}
	return p;
}

/* The walk on hand-made paths: where it must stop, and where it must not. */
static void test_doom_level_cases(void)
{
	struct fw_hot_path p;

	/* tree root 0 -> fork_bomb.sh 1 -> bomb root 2 (two copies multiply)
	 * -> copy 3 (the creator). */
	{
		__u32 below[9] = { 300, 298, 296, 150 }, copies[9] = { 0, 0, 2 };

		p = path_of(3, below, NULL, NULL, copies, 1u << 3);
		CHECK_EQ_U(fw_doom_level(&p), 2);
	}
	/* The same script above the bomb, forking a helper: it is the creator
	 * at the end of the path, made little itself: names nothing. */
	{
		__u32 below[9] = { 300, 298 }, direct[9] = { 0, 3 }, active[9] = { 0, 1 };

		p = path_of(1, below, direct, active, NULL, 0);
		CHECK_EQ_U(fw_doom_level(&p), FW_DOOM_NONE);
	}
	/* A spawner (while :; do sleep 9 & done) is the creator: itself. */
	{
		__u32 below[9] = { 300, 299, 298 }, direct[9] = { 0, 1, 298 };

		p = path_of(2, below, direct, NULL, NULL, 0);
		CHECK_EQ_U(fw_doom_level(&p), 2);
	}
	/* The tree root is a spawner (it predates the tool): level 0. */
	{
		__u32 below[9] = { 300 }, direct[9] = { 290 };

		p = path_of(0, below, direct, NULL, NULL, 0);
		CHECK_EQ_U(fw_doom_level(&p), 0);
	}
	/* A login daemon at the tree root with three busy sessions and a new
	 * one: not a multiplier at the root. The bomb's session holds the
	 * majority: down to where the bomb multiplies. */
	{
		__u32 below[9] = { 300, 200, 198 }, direct[9] = { 1, 0, 5 },
		      active[9] = { 4, 1, 5 };

		p = path_of(3, below, direct, active, NULL, 0);
		CHECK_EQ_U(fw_doom_level(&p), 2);
	}
	/* A creator in the minority branch (an innocent build beside the bomb)
	 * names nothing, although the daemon is busy: another of its children
	 * holds the majority. */
	{
		__u32 below[9] = { 300, 40, 38 }, direct[9] = { 1, 0, 5 }, active[9] = { 4, 1, 1 };

		p = path_of(3, below, direct, active, NULL, 0);
		p.most[0] = 200;
		CHECK_EQ_U(fw_doom_level(&p), FW_DOOM_NONE);
		/* The daemon itself forking a new session: not a spawner. */
		p = path_of(0, below, direct, active, NULL, 0);
		CHECK_EQ_U(fw_doom_level(&p), FW_DOOM_NONE);
	}
	/* A bomb that execs itself from a root that predates the tool (the tree
	 * root): it still creates, and no child holds the majority: the root,
	 * with all of its lineage. */
	{
		__u32 below[9] = { 300, 60, 40 }, direct[9] = { 3, 2, 1 }, active[9] = { 5, 2, 1 };

		p = path_of(2, below, direct, active, NULL, 0);
		p.most[0] = 120;
		CHECK_EQ_U(fw_doom_level(&p), 0);
		CHECK(fw_doom_whole(&p, 0));
		CHECK(!fw_doom_whole(&p, 1)); /* pid 1, a kernel thread, the tool's ancestor */
	}
	/* A shell a bash bomb was typed into: its copies multiply; it made
	 * nothing itself since: only the burst. */
	{
		__u32 below[9] = { 300, 150, 70 }, copies[9] = { 2 };

		p = path_of(2, below, NULL, NULL, copies, (1u << 1) | (1u << 2));
		CHECK_EQ_U(fw_doom_level(&p), 0);
		CHECK(!fw_doom_whole(&p, 0));
	}
	/* An operator's shell (1) whose one subshell (2, a copy) runs a bash
	 * bomb: the shell does not multiply, the subshell does. */
	{
		__u32 below[9] = { 300, 298, 297, 150 }, copies[9] = { 0, 1, 2 };

		p = path_of(3, below, NULL, NULL, copies, (1u << 2) | (1u << 3));
		CHECK_EQ_U(fw_doom_level(&p), 2);
	}
	/* Too small to be a root: a multiplier that made under a quarter of the
	 * tree's hot creations (reached through majorities) is left alone. */
	{
		__u32 below[9] = { 400, 210, 110, 60 }, copies[9] = { 0, 0, 0, 2 };

		p = path_of(4, below, NULL, NULL, copies, 1u << 4);
		CHECK_EQ_U(fw_doom_level(&p), FW_DOOM_NONE);
	}
	/* Deeper than the lineage keeps: the deepest kept ancestor, but only
	 * when the path made 90% at every level. */
	{
		__u32 below[9] = { 1000, 999, 998, 997, 996, 995, 994, 993, 992 };

		p = path_of(12, below, NULL, NULL, NULL, 0);
		CHECK_EQ_U(fw_doom_level(&p), FW_TOP_DEPTH);
		p.below[5] = 600; /* a level where another branch made 40% */
		p.below[6] = 599;
		p.below[7] = 598;
		p.below[8] = 597;
		CHECK_EQ_U(fw_doom_level(&p), FW_DOOM_NONE);
	}
}

/* Bomb shapes for the naming walk, under random scheduling, beside an
 * innocent build in the same tree (10 -> session -> make -> sh -> cc). */
enum doom_bomb { DOOM_BASH, DOOM_LOOP, DOOM_EXEC, DOOM_SPAWN };
enum doom_shape { DOOM_SCRIPT, DOOM_PREEXISTING, DOOM_SUBSHELL, DOOM_CONDUIT };

struct doom_result {
	int first_root;  /* the first naming was the bomb's root */
	int first_below; /* ... a process below it (a part of the bomb) */
	int above;       /* namings of an ancestor of the root, by anyone */
	int innocent;    /* namings by a process outside the bomb */
};

struct doom_run {
	struct sim *s;
	uint32_t next; /* the next pid */
	uint64_t now;
};

/* The next pid forks from parent 1 µs after the last; it may exec at once. */
static uint32_t doom_fork(struct doom_run *d, uint32_t parent, int execs)
{
	d->now += 1000;
	sim_fork(d->s, parent, d->next, d->now);
	if (execs)
		sim_exec(d->s, d->next);
	return d->next++;
}

/* Does x descend from (or equal) from? The runs never reuse a pid, and an
 * exit leaves the record in place: the links hold for the dead too. */
static int sim_descends(const struct sim *s, uint32_t x, uint32_t from)
{
	while (x != from && x >= 100)
		x = s->procs[x].ppid;
	return x == from;
}

/* One run: the bomb's root under tree root 10 (for DOOM_SCRIPT, below a
 * script that forks a helper now and then), until the burst holds twice
 * the kill threshold; every creator over it is asked what it names. */
static void doom_run(enum doom_bomb bomb, enum doom_shape shape, unsigned seed,
		     struct doom_result *res)
{
	static uint32_t pool[MAXPID], left[MAXPID];
	const uint32_t tree = 10;
	struct sim *s = sim_new();
	struct doom_run d = { s, 100, SEC };
	uint32_t root, script = 0, make, np = 0, steps;
	unsigned rng = seed * 2654435761u;
	int first = 1;

	s->cfg.kill = FW_KILL_ARMED;
	s->cfg.kill_tree = 256;
	s->cfg.kill_hot = fw_kill_hot(256);
	make = doom_fork(&d, doom_fork(&d, tree, 1), 1);
	switch (shape) {
	case DOOM_SCRIPT: /* fork_bomb.sh -> ( exec bomb ) */
		script = doom_fork(&d, tree, 1);
		root = doom_fork(&d, script, 1);
		break;
	case DOOM_PREEXISTING: /* typed into a shell that predates the tool */
		root = tree;
		break;
	case DOOM_SUBSHELL: /* shell -> ( :(){ :|:& };: ) */
		root = doom_fork(&d, doom_fork(&d, tree, 1), 0);
		break;
	default: /* shell -> ( ./bomb.sh; echo done ) -> bomb.sh */
		root = doom_fork(&d, doom_fork(&d, doom_fork(&d, tree, 1), 0), 1);
		break;
	}
	pool[np++] = root;
	left[root] = 2;
	for (steps = 0; steps < 60000 && np && d.next < MAXPID - 8; steps++) {
		uint32_t k, p, c;
		long named;

		rng = rng * 1103515245u + 12345u;
		k = (rng >> 8) % np;
		p = pool[k];
		if ((rng >> 20) % 20 == 0) { /* the innocent build */
			uint32_t sh = doom_fork(&d, make, 1), cc = doom_fork(&d, sh, 1);

			if (s->trees[tree].burst_live >= 256 && sim_doom_names(s, sh, tree) != -1)
				res->innocent++;
			sim_exit(s, cc);
			sim_exit(s, sh);
		}
		if (script && (rng >> 12) % 30 == 0) {
			sim_exit(s, doom_fork(&d, script, 1));
			if (s->trees[tree].burst_live >= 256 && sim_doom_names(s, script, tree) != -1)
				res->above++;
		}
		if (s->trees[tree].burst_live >= 256) {
			named = sim_doom_names(s, p, tree);
			if (named != -1 && (uint32_t)named != root &&
			    sim_descends(s, root, (uint32_t)named))
				res->above++;
			if (named != -1 && first) {
				res->first_root += (uint32_t)named == root;
				res->first_below += (uint32_t)named != root &&
						    sim_descends(s, (uint32_t)named, root);
				first = 0;
			}
			if (s->trees[tree].burst_live >= 512)
				break;
		}
		switch (bomb) {
		case DOOM_BASH: /* each member forks two copies, then exits */
			c = doom_fork(&d, p, 0);
			left[c] = 2;
			pool[np++] = c;
			if (--left[p] == 0) {
				sim_exit(s, p);
				pool[k] = pool[--np];
			}
			break;
		case DOOM_LOOP: /* for (;;) fork(); */
			pool[np++] = doom_fork(&d, p, 0);
			break;
		case DOOM_EXEC: /* every member vforks and execs itself, in a loop */
			pool[np++] = doom_fork(&d, p, 1);
			break;
		default: /* one spawner, children that do not fork */
			doom_fork(&d, root, 1);
			break;
		}
	}
	free(s);
}

/* The walk never names above where a bomb multiplies, nor for a process
 * outside it (but for the shell that predates the tool, which is the
 * bomb's root there: its burst is doomed). The first naming is the bomb's
 * root in nearly every run for bash, loop and spawn bombs, and in most for
 * a bomb that execs itself, whose root can be starved among its members;
 * otherwise a part is named first (never nothing), the rest at a later
 * fork. 100 seeded schedules per shape: deterministic. */
static void test_doom_model(void)
{
	static const char *bombs[] = { "bash", "loop", "exec", "spawn" };
	int bomb, shape, runs = 100;
	unsigned seed;

	for (shape = DOOM_SCRIPT; shape <= DOOM_CONDUIT; shape++) {
		for (bomb = DOOM_BASH; bomb <= DOOM_SPAWN; bomb++) {
			struct doom_result r = { 0 };
			int want = bomb == DOOM_EXEC ? runs * 8 / 10 : runs * 97 / 100;

			if (shape == DOOM_PREEXISTING && bomb == DOOM_EXEC)
				continue; /* below */
			for (seed = 1; seed <= (unsigned)runs; seed++)
				doom_run(bomb, shape, seed, &r);
			if (r.above || (shape != DOOM_PREEXISTING && r.innocent) ||
			    r.first_root + r.first_below != runs || r.first_root < want)
				fprintf(stderr, "doom model: shape %d, %s bomb: root first %d/%d, "
					"a part %d, above %d, innocent %d\n", shape, bombs[bomb],
					r.first_root, runs, r.first_below, r.above, r.innocent);
			CHECK_EQ_U(r.above, 0);
			if (shape != DOOM_PREEXISTING)
				CHECK_EQ_U(r.innocent, 0);
			CHECK_EQ_U(r.first_root + r.first_below, runs);
			CHECK(r.first_root >= want);
		}
	}
	/* A bomb that execs itself from a root that predates the tool makes no
	 * copies: the root is named where none of its children holds the
	 * majority, else a part first (the counts start again after a doom). */
	{
		struct doom_result r = { 0 };

		for (seed = 1; seed <= 20; seed++)
			doom_run(DOOM_EXEC, DOOM_PREEXISTING, seed, &r);
		if (r.above || r.first_root + r.first_below != 20 || r.first_root < 5)
			fprintf(stderr, "doom model: preexisting exec bomb: root first %d/20, a part %d, "
				"above %d\n", r.first_root, r.first_below, r.above);
		CHECK_EQ_U(r.above, 0);
		CHECK_EQ_U(r.first_root + r.first_below, 20);
		CHECK(r.first_root >= 5);
	}
}

/* The creator's creation time travels with each child: a bash bomb's
 * members outlive their creators' records. */
static void test_lineage_parent_time(void)
{
	struct fw_proc a = { 0 }, b = { 0 };

	fw_lineage_child(&a, NULL, 100, 200, 5 * SEC);
	CHECK_EQ_U(a.parent_created_ns, 0);
	fw_lineage_child(&b, &a, 200, 300, 6 * SEC);
	CHECK_EQ_U(b.parent_created_ns, 5 * SEC);
}

/* What a containment sweep picks from a tree's members. */
static void test_sweep_select(void)
{
	struct fw_member m[6];
	uint32_t chain[12];
	size_t i, n;

	/* Tree 10: 20 (depth 1, before the burst) -> 30 (the doomed root) ->
	 * 40, 41; 21 a sibling of 20. */
	memset(m, 0, sizeof(m));
	m[0] = (struct fw_member){ .tgid = 20, .depth = 1, .created_ns = 1, .ppid = 10, .top = { 20 } };
	m[1] = (struct fw_member){ .tgid = 30, .depth = 2, .created_ns = 5, .ppid = 20, .top = { 20, 30 } };
	m[2] = (struct fw_member){ .tgid = 40, .depth = 3, .created_ns = 6, .ppid = 30, .top = { 20, 30, 40 } };
	m[3] = (struct fw_member){ .tgid = 41, .depth = 3, .created_ns = 7, .ppid = 30, .top = { 20, 30, 41 } };
	m[4] = (struct fw_member){ .tgid = 21, .depth = 1, .created_ns = 8, .ppid = 10, .top = { 21 } };
	/* The root and its descendants. */
	n = fw_sweep_select(m, 5, 10, 30, 2, 0);
	CHECK_EQ_U(n, 3);
	for (i = 0; i < n; i++)
		CHECK(m[i].tgid == 30 || m[i].tgid == 40 || m[i].tgid == 41);
	/* The tree root: only the burst's members (from 5 on). */
	n = fw_sweep_select(m, 5, 10, 10, 0, 5);
	CHECK_EQ_U(n, 4);
	for (i = 0; i < n; i++)
		CHECK(m[i].tgid != 20);
	/* Deeper than top[] reaches: creator links, through members that
	 * are still listed. A chain 100 -> 101 -> ... at depths 1..12. */
	{
		struct fw_member deep[12];

		memset(deep, 0, sizeof(deep));
		for (i = 0; i < 12; i++) {
			chain[i] = 100 + (uint32_t)i;
			deep[i].tgid = chain[i];
			deep[i].depth = (uint32_t)i + 1;
			deep[i].ppid = i ? chain[i - 1] : 10;
		}
		n = fw_sweep_select(deep, 12, 10, 109, 10, 0); /* 109 at depth 10 */
		CHECK_EQ_U(n, 3);                           /* 109, 110, 111 */
		for (i = 0; i < n; i++)
			CHECK(deep[i].tgid >= 109);
	}
}

int main(void)
{
	test_kill_decisions();
	test_lineage_copies();
	test_doom_level_cases();
	test_doom_model();
	test_lineage_parent_time();
	test_sweep_select();
	test_filters();
	test_window();
	test_ratelimit();
	test_lineage();
	test_classic_bomb();
	test_shell_loop_is_silent();
	test_prefork_server_is_silent();
	test_slow_spawn_is_caught();
	test_quiet_gap_starts_new_burst();
	test_concurrent_clocks();
	test_stalled_burst();
	test_epoch_limit();
	test_process_rate();
	test_threads();
	test_burst_root();
	CHECK_DONE();
}
