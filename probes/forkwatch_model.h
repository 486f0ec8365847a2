/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model of runaway creation, as procedures over the record store: what
 * one creation, exec, exit or failed creation does to the records, and the
 * verdict it reaches. Every decision is a pure function of
 * forkwatch_logic.h; this file strings them together.
 *
 * The probe and the unit tests each define the store before including it
 * (both with forkwatch_store.h):
 *   FW_REC_GET(k)     a pointer to the record of tgid k (a __u32 lvalue), or 0
 *   FW_REC_NEW(k, r)  insert a copy of *r unless k has a record or no slot
 *                     is free for it: 0 on success
 *   FW_REC_DEL(k)
 *   FW_REC_VICTIM(k, keep, now, cfg)  a record that may give its slot to k
 *                     (fw_rec_evictable), never keep's: its tgid, or 0
 *   FW_STAT(i)        count one in statistic i
 *   FW_NEAR_LIMIT(now, t, kids)  failed creations would convict tgid t
 *                     (its line replicates, or it holds kids live children)
 *                     once it nears a limit: user space looks (fw_state)
 * so the kernel and the tests run the same code over different maps.
 */
#ifndef FORKWATCH_MODEL_H
#define FORKWATCH_MODEL_H

#if !defined(FW_REC_GET) || !defined(FW_REC_NEW) || !defined(FW_REC_DEL) || \
	!defined(FW_REC_VICTIM) || !defined(FW_STAT) || !defined(FW_NEAR_LIMIT)
#error "define the record store before including forkwatch_model.h"
#endif

/* A verdict starts with its root's part (a is cleared first). */
FW_INLINE void fw_verdict_root(struct fw_alert *a, __u32 rule, __u32 root, const struct fw_proc *r,
			       __u64 now, const struct fw_config *cfg)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->kind = rule;
	a->root = root;
	a->root_ppid = r->ppid;
	a->root_created_ns = r->created_ns;
	a->root_start_ns = r->start_ns;
	__builtin_memcpy(a->root_comm, r->comm, FW_COMM_LEN);
	a->rank = r->rank;
	a->strong = r->strong;
	a->kids_live = r->kids_live > 0 ? (__u32)r->kids_live : 0;
	a->fails = fw_window_estimate(&r->fails, now, cfg->window_ns);
	a->whole = fw_doom_whole(r, now, cfg, 0);
	/* A root that is the bomb goes with all its program made; an
	 * established one keeps what it made before the episode. */
	a->doomed_since_ns = a->whole ? r->start_ns : fw_episode_start(r, rule, now, cfg);
}

/* One report per root per window: a verdict held back (a->repeat) is still
 * a verdict, so that containment acts on a root it has not doomed yet
 * (a server whose new workers run away one after another), and its report
 * goes out with that kill. */
FW_INLINE void fw_verdict_limit(struct fw_ratelimit *rl, __u64 now, const struct fw_config *cfg,
				struct fw_alert *a)
{
	__u32 supp = 0;

	a->repeat = !fw_ratelimit_pass(rl, now, cfg->window_ns, &supp);
	a->suppressed = supp;
}

/* The record of x's creator, or 0: it has none, its record is gone, or
 * its pid was reused (created_ns tells). */
FW_INLINE struct fw_proc *fw_creator_of(const struct fw_proc *x)
{
	struct fw_proc *q;

	if (!x->ppid)
		return 0;
	q = FW_REC_GET(x->ppid);
	return q && q->created_ns == x->parent_created_ns ? q : 0;
}

/* What x's line gives its creator changed (it began to replicate, its
 * rank rose or fell, it left its creator's program, its purity turned):
 * the change climbs creator links while it changes what the next one up
 * gives (at most FW_CLIMB links: the rest follows at the next change
 * there). The first pure node it lifts to cfg->rank by branching is a
 * replicator's root. Returns that node's tgid, or 0. now: 0 when not read
 * yet (fw_now). (This loop and fw_name_up's, not
 * one loop with more state: the verifier walks each iteration, and every
 * branch on carried state would double its paths.) */
FW_INLINE __u32 fw_climb(const struct fw_config *cfg, struct fw_proc *x, __u64 now)
{
	__u32 root = 0, i;

FW_LOOP
	for (i = 0; i < FW_CLIMB; i++) {
		struct fw_proc *q;
		__u32 qt, a, b, q_old, q_new;

		b = fw_line_gives(x);
		a = x->given;
		if (a == b)
			break;
		x->given = (__u8)b;
		qt = x->ppid;
		q = fw_creator_of(x);
		if (!q)
			break;
		q_old = q->rank;
		fw_lines_move(q, a, b, now);
		/* Read back, not carried from the computation: every path through
		 * fw_lines_move then meets the next iteration in one state. */
		q_new = *(volatile __u8 *)&q->rank;
		/* A line that replicates: at a limit, its failed creations make
		 * its leaves nodes and may convict it (fw_replicator_harm). */
		if (q_new >= 2 && q_new > q_old)
			FW_NEAR_LIMIT(fw_now(now), qt, 0);
		/* Named where the rank is made: a node that branches (its rank
		 * above its strongest line's), not one that carries a single line
		 * up (a script that started one bomb). */
		if (!root && q_new > q_old && q_new >= cfg->rank && q_new > q->top && fw_is_pure(q))
			root = qt;
		x = q;
	}
	return root;
}

/* The naming climbs on from a replicator's first node at cfg->rank through
 * the creators fw_name_climbs accepts: where the replication branches too,
 * the node below is only one of its lines. Returns the root. */
FW_INLINE __u32 fw_name_up(__u32 root, __u64 now, const struct fw_config *cfg)
{
	struct fw_proc *x = FW_REC_GET(root), *q;
	__u32 i, qt;

FW_LOOP
	for (i = 0; i < FW_CLIMB && x; i++) {
		if (!(x->flags & FW_PROC_COPY) || !x->ppid)
			break;
		qt = x->ppid;
		q = fw_creator_of(x);
		if (!q || !fw_name_climbs(q, x, now, cfg))
			break;
		root = qt;
		x = q;
	}
	return root;
}

/* Whom a chain verdict names, from the record of a member: the chain's
 * first process, or the second when the first is alive: a chain's members
 * exit as soon as they have made the next, and a first process that lives
 * on is what started the chain (a script running a subshell), not part of
 * it. */
FW_INLINE __u32 fw_chain_named(const struct fw_proc *member)
{
	__u32 first = member->chain_root;
	struct fw_proc *r = FW_REC_GET(first);

	if (member->chain_next && r && r->created_ns == member->chain_root_ns &&
	    !(r->flags & FW_PROC_DEAD))
		return member->chain_next;
	return first;
}

/* Is a record a root named within the episode (FW_RANK_EPOCH windows)? */
FW_INLINE int fw_named_lately(const struct fw_proc *q, __u64 now, const struct fw_config *cfg)
{
	return q && q->rl.alerted && now >= q->rl.last_ns &&
	       now - q->rl.last_ns < FW_RANK_EPOCH * cfg->window_ns;
}

/* Was a replicator above r (its chain's first process, or one of its
 * nearest ancestors) named in this episode? Then a line of it that ranks
 * on its own is the same bomb, and the verdict names that ancestor again.
 * Returns its tgid, or 0. */
FW_INLINE __u32 fw_named_above(const struct fw_proc *r, __u64 now, const struct fw_config *cfg)
{
	__u32 i, k = r->chain_root;

	if (k && fw_named_lately(FW_REC_GET(k), now, cfg))
		return k;
FW_LOOP
	for (i = 0; i < FW_ANC; i++) {
		k = r->anc[i];
		if (!k)
			break;
		if (fw_named_lately(FW_REC_GET(k), now, cfg))
			return k;
	}
	return 0;
}

/* A replicator's verdict from node, the first to reach its rule: an
 * ancestor named before in the episode takes its place, and the naming
 * climbs on from there (fw_name_up). Climbing again from a root named
 * before matters: a bash bomb's root starved after its first fork forks
 * its second half, or exits, only after its first half was named, and the
 * next verdict names the root. Returns FW_RULE_REPLICATOR (a filled), or
 * FW_RULE_NONE when node or the root has no record. */
FW_INLINE __u32 fw_verdict_replicator(const struct fw_config *cfg, __u32 node, __u32 threshold,
				      __u64 now, struct fw_alert *a)
{
	struct fw_proc *x = FW_REC_GET(node), *named;
	__u32 above, root;

	if (!x)
		return FW_RULE_NONE;
	above = fw_named_above(x, now, cfg);
	root = fw_name_up(above ? above : node, now, cfg);
	named = FW_REC_GET(root);
	if (!named)
		return FW_RULE_NONE;
	fw_verdict_root(a, FW_RULE_REPLICATOR, root, named, now, cfg);
	a->count = named->rank;
	a->threshold = threshold;
	fw_verdict_limit(&named->rl, now, cfg, a);
	return FW_RULE_REPLICATOR;
}

/* p (tgid, record P) creates, or tries to: the first time, it becomes a
 * node of its lineage; if it is a copy, its creator's line replicates, and
 * ranks climb. Returns the rule (FW_RULE_REPLICATOR, a filled) when that
 * names a replicator's root. A failed try counts: a bomb that filled its
 * pids.max goes on trying. */
FW_INLINE __u32 fw_become_node(const struct fw_config *cfg, struct fw_proc *P, __u64 now,
			       struct fw_alert *a)
{
	struct fw_proc *X = 0;
	__u32 root;

	/* The first time: P is a node, and if it is a copy its creator X has
	 * a copy that replicates: X's line counts for its own creator (or,
	 * fertile already, it may have turned pure), and ranks climb. */
	if (!(P->flags & FW_PROC_NODE)) {
		fw_rank_start(P);
		if (P->flags & FW_PROC_COPY) {
			X = fw_creator_of(P);
			if (X) {
				FW_ADD(&X->node_kids, 1);
				X->flags |= FW_PROC_FERTILE;
			}
		}
	}
	/* Or P itself made two copies and none of its children went to
	 * another program: a line that replicates, before any copy of it has
	 * run (a for (;;) fork() makes copies faster than they are run). A
	 * process whose children exec other programs (a shell, make's leaves,
	 * a server's CGI) never counts: the first has exec'd by its second. */
	if (!X && !(P->flags & FW_PROC_FERTILE) && P->children >= 2 && P->away_kids == 0) {
		X = P;
		P->flags |= FW_PROC_FERTILE;
	}
	if (!X)
		return FW_RULE_NONE;
	root = fw_climb(cfg, X, now);
	if (!root)
		return FW_RULE_NONE;
	if (fw_verdict_replicator(cfg, root, cfg->rank, now, a) == FW_RULE_NONE)
		return FW_RULE_NONE;
	a->window_count = fw_window_estimate(&P->procs, now, cfg->window_ns);
	return FW_RULE_REPLICATOR;
}

/* Record vt gives its slot to another (fw_rec_evictable: a dead record
 * nothing is below, or an old leaf): its creator no longer counts it, as
 * if it had exited unseen, and its line, if it gave one, leaves there.
 * Nothing climbs from the creator (the change there reaches its own
 * creator at the next one): making room stays cheap on the path of a
 * creation. */
FW_INLINE void fw_rec_evict(__u32 vt, __u64 now)
{
	struct fw_proc *v = FW_REC_GET(vt), *q;

	if (!v)
		return;
	q = fw_creator_of(v);
	if (q) {
		if (v->flags & FW_PROC_LIVE)
			FW_ADD(&q->kids_live, -1);
		FW_ADD(&q->kids_rec, -1);
		if (v->given)
			fw_lines_move(q, v->given, 0, now);
	}
	FW_REC_DEL(vt);
	FW_STAT(FW_STAT_RECORDS_OUT);
	FW_STAT(FW_STAT_EVICTED);
}

/* A copy of *r as the record of t, which has none; when all t's slots are
 * taken, one that may go makes room, never keep's (a record the caller
 * holds). 0 on success; -1 also when t has a record after all. */
FW_INLINE int fw_rec_insert(const struct fw_config *cfg, __u32 t, struct fw_proc *r, __u32 keep,
			    __u64 now)
{
	__u32 victim;

	if (FW_REC_NEW(t, r) == 0)
		return 0;
	if (FW_REC_GET(t))
		return -1; /* t has one: another CPU made it meanwhile */
	victim = FW_REC_VICTIM(t, keep, now, cfg);
	if (!victim)
		return -1;
	fw_rec_evict(victim, now);
	return FW_REC_NEW(t, r);
}

/* The record of tgid t, made for a process that predates the tool the
 * first time it creates. Returns it, or 0 when the store has no room. */
FW_INLINE struct fw_proc *fw_rec_of_creator(const struct fw_config *cfg, __u32 t, __u32 uid,
					    const char *comm, struct fw_proc *scratch, __u64 now)
{
	struct fw_proc *r = FW_REC_GET(t);

	if (r)
		return r;
	fw_rec_old(scratch, t, 0, uid);
	__builtin_memcpy(scratch->comm, comm, FW_COMM_LEN);
	if (fw_rec_insert(cfg, t, scratch, 0, now) == 0) {
		FW_STAT(FW_STAT_RECORDS_IN);
		return FW_REC_GET(t);
	}
	r = FW_REC_GET(t); /* another CPU's, made meanwhile */
	if (!r)
		FW_STAT(FW_STAT_UNTRACKED);
	return r;
}

/* Record t leaves: its creator's count of child records drops and its
 * line no longer counts there, dead creators that stayed only for their
 * lines go with their last one, and the change climbs from the first
 * creator that stays. At most FW_CASCADE records go: a dead creator left
 * with nothing below it past that stays, with its creator's counts right,
 * as a record fw_rec_evictable gives up (or its pid's next process
 * replaces). Lines leave and fall here; a rank rises only where a climb
 * bounded by FW_CLIMB left a rise above to be carried on (and no verdict
 * comes of it here: the next creation names). The clock is read only
 * then (fw_now): on the bench machine a read costs a tenth of what a fork
 * and its exit cost in all. */
FW_INLINE void fw_rec_release(const struct fw_config *cfg, __u32 t)
{
	struct fw_proc *r = FW_REC_GET(t), *q = 0;
	__u32 ppid, given;
	__u64 parent_created_ns;
	int i;

	if (!r)
		return;
	ppid = r->ppid;
	parent_created_ns = r->parent_created_ns;
	given = r->given;
	FW_REC_DEL(t);
	FW_STAT(FW_STAT_RECORDS_OUT);
FW_LOOP
	for (i = 0; i < FW_CASCADE; i++) {
		__u32 next;
		__u64 next_created;

		q = 0;
		if (!ppid)
			break;
		q = FW_REC_GET(ppid);
		if (!q || q->created_ns != parent_created_ns) {
			q = 0;
			break;
		}
		FW_ADD(&q->kids_rec, -1);
		if (given)
			fw_lines_move(q, given, 0, 0);
		if (!(q->flags & FW_PROC_DEAD) || q->kids_rec > 0 || i == FW_CASCADE - 1)
			break;
		next = q->ppid;
		next_created = q->parent_created_ns;
		given = q->given;
		FW_REC_DEL(ppid);
		FW_STAT(FW_STAT_RECORDS_OUT);
		ppid = next;
		parent_created_ns = next_created;
		q = 0;
	}
	if (q)
		fw_climb(cfg, q, 0);
}

/* Process p (uid, command comm) created process c at now. Fills the
 * child's record and the creator's counters, and returns the rule of a
 * verdict the creation reached (a filled), or FW_RULE_NONE. *creator is
 * the creator's record (0 when the map is full). */
FW_INLINE __u32 fw_model_fork(const struct fw_config *cfg, __u32 p, __u32 c, __u64 now, __u32 uid,
			      const char *comm, struct fw_proc *scratch, struct fw_alert *a,
			      struct fw_proc **creator)
{
	struct fw_proc *P;
	__u32 gens, rate, chain_root, chain_supp = 0, supp = 0;
	int chain_due = 0, chain_repeat = 0;

	P = fw_rec_of_creator(cfg, p, uid, comm, scratch, now);
	*creator = P;
	if (!P)
		return FW_RULE_NONE;
	gens = fw_rec_child(scratch, P, p, c, now, uid, comm, cfg);
	chain_root = fw_chain_named(scratch);
	if (gens >= cfg->chain) {
		chain_due = 1;
		chain_repeat = !fw_ratelimit_pass(&scratch->chain_rl, now, cfg->window_ns, &chain_supp);
	}
	if (FW_REC_NEW(c, scratch) != 0) {
		/* A record under the new pid (a dead process's, kept for its
		 * lines: its creator lets go of it first), or no free slot. */
		if (FW_REC_GET(c))
			fw_rec_release(cfg, c);
		if (fw_rec_insert(cfg, c, scratch, p, now) != 0) {
			FW_STAT(FW_STAT_UNTRACKED);
			return FW_RULE_NONE;
		}
	}
	FW_STAT(FW_STAT_RECORDS_IN);
	FW_ADD(&P->kids_live, 1);
	FW_ADD(&P->kids_rec, 1);
	FW_ADD(&P->children, 1);
	/* A creator that failing creations would convict (fw_spawner_failing)
	 * once it nears a limit. */
	if (fw_spawner_failing(P))
		FW_NEAR_LIMIT(now, p, (__u32)P->kids_live);
	rate = fw_window_add(&P->procs, now, cfg->window_ns);
	if (fw_become_node(cfg, P, now, a) == FW_RULE_REPLICATOR)
		return FW_RULE_REPLICATOR;
	if (chain_due) {
		/* Named from a member: its root is gone, or has its own record. */
		fw_verdict_root(a, FW_RULE_CHAIN, chain_root, P, now, cfg);
		a->root_ppid = 0;
		a->root_created_ns = 0;
		a->root_start_ns = 0;
		a->whole = 1;
		a->doomed_since_ns = 0;
		a->count = gens;
		a->threshold = cfg->chain;
		a->window_count = rate;
		a->suppressed = chain_supp;
		a->repeat = chain_repeat;
		return FW_RULE_CHAIN;
	}
	if (fw_spawner_count(P, cfg)) {
		fw_verdict_root(a, FW_RULE_SPAWNER, p, P, now, cfg);
		a->count = a->kids_live;
		a->threshold = cfg->spawn_max;
		a->window_count = rate;
		fw_verdict_limit(&P->rl, now, cfg, a);
		return FW_RULE_SPAWNER;
	}
	if (rate >= cfg->proc_threshold) {
		if (fw_ratelimit_pass(&P->proc_rl, now, cfg->window_ns, &supp)) {
			fw_verdict_root(a, FW_RULE_RATE, p, P, now, cfg);
			a->count = rate;
			a->threshold = cfg->proc_threshold;
			a->window_count = rate;
			a->suppressed = supp;
			return FW_RULE_RATE;
		}
		FW_STAT(FW_STAT_SUPPRESSED);
	}
	return FW_RULE_NONE;
}

/* A member p of a lineage failed to create: the lineage fills what binds
 * it. If the pure line it belongs to already ranks FW_HARM_RANK (copies of
 * copies that make copies), that is a replicator doing harm: a bomb whose
 * members fork in bursts fills a small pids.max before its shape is deep
 * enough to rank --rank, and the member that fails may be any leaf of it.
 * Named at the highest node of that line (up its pure copy links, to where
 * its program was exec'd) that branches at FW_HARM_RANK or more, and from
 * there as the rank rule names: not a script that carries the line on one
 * child. */
FW_INLINE __u32 fw_replicator_harm(const struct fw_config *cfg, __u32 p, __u64 now,
				   struct fw_alert *a)
{
	struct fw_proc *x = FW_REC_GET(p), *q;
	__u32 xt = p, best = 0, i;

FW_LOOP
	for (i = 0; i < FW_ANC && x; i++) {
		if (fw_is_pure(x) && (x->flags & FW_PROC_FERTILE) && x->rank >= FW_HARM_RANK &&
		    x->rank > x->top)
			best = xt;
		if (!(x->flags & FW_PROC_COPY) || !x->ppid)
			break;
		q = fw_creator_of(x);
		if (!q || !fw_is_pure(q))
			break;
		xt = x->ppid;
		x = q;
	}
	if (!best)
		return FW_RULE_NONE;
	return fw_verdict_replicator(cfg, best, FW_HARM_RANK, now, a);
}

/* Process p (uid, command comm) tried to create at now and failed: no task
 * was made (a full pids.max, RLIMIT_NPROC, pid_max). Returns
 * FW_RULE_SPAWNER (a filled) when it holds enough live children to be the
 * cause. *creator: its record, or 0. */
FW_INLINE __u32 fw_model_failed(const struct fw_config *cfg, __u32 p, __u64 now, __u32 uid,
				const char *comm, struct fw_proc *scratch, struct fw_alert *a,
				struct fw_proc **creator)
{
	struct fw_proc *P = fw_rec_of_creator(cfg, p, uid, comm, scratch, now);
	__u32 fails;

	*creator = P;
	FW_STAT(FW_STAT_FAILED);
	if (!P)
		return FW_RULE_NONE;
	fails = fw_window_add(&P->fails, now, cfg->window_ns);
	if (fw_become_node(cfg, P, now, a) == FW_RULE_REPLICATOR ||
	    fw_replicator_harm(cfg, p, now, a) == FW_RULE_REPLICATOR) {
		a->fails = fails; /* the member's, which failed */
		return FW_RULE_REPLICATOR;
	}
	if (!fw_spawner_failing(P))
		return FW_RULE_NONE;
	fw_verdict_root(a, FW_RULE_SPAWNER, p, P, now, cfg);
	a->count = a->kids_live;
	a->threshold = FW_SPAWN_MIN;
	a->fails = fails;
	a->window_count = fw_window_estimate(&P->procs, now, cfg->window_ns);
	fw_verdict_limit(&P->rl, now, cfg, a);
	return FW_RULE_SPAWNER;
}

/* Process t exec'd at now: its command name is now new_comm, from the file
 * filename (the first bytes as given to execve). A process that runs
 * another program leaves its creator's lineage and starts its own chain;
 * if it had not replicated yet, its creator counts it as gone away. */
FW_INLINE void fw_model_exec(const struct fw_config *cfg, __u32 t, __u64 now, __u32 uid,
			     const char *new_comm, const char *filename, struct fw_proc *scratch)
{
	struct fw_proc *r = FW_REC_GET(t), *q = 0;

	if (!r) {
		/* An older process starting a program: its age is known now. */
		fw_rec_old(scratch, t, now, uid);
		__builtin_memcpy(scratch->comm, new_comm, FW_COMM_LEN);
		if (FW_REC_NEW(t, scratch) == 0)
			FW_STAT(FW_STAT_RECORDS_IN);
		return;
	}
	if (!fw_self_exe(filename)) {
		r->flags &= ~FW_PROC_REEXEC;
	} else {
		/* A copy's first exec, of its creator's own file. */
		struct fw_proc *p = (r->flags & (FW_PROC_COPY | FW_PROC_EXECD)) == FW_PROC_COPY
					    ? fw_creator_of(r)
					    : 0;

		if (p)
			FW_ADD(&p->self_kids, 1);
		r->flags |= FW_PROC_REEXEC;
	}
	r->flags |= FW_PROC_EXECD;
	r->start_ns = now;
	r->uid = uid; /* setuid programs, and setpriv before the exec */
	if (!fw_same_program(r->comm, new_comm, filename)) {
		if ((r->flags & FW_PROC_COPY) && !(r->flags & FW_PROC_NODE)) {
			q = fw_creator_of(r);
			if (q)
				FW_ADD(&q->away_kids, 1);
		}
		r->flags &= ~FW_PROC_COPY;
		fw_chain_start(r, t);
		/* Its line, if it gave one, leaves its creator's; else its
		 * creator may have turned impure. */
		if (r->given)
			fw_climb(cfg, r, now);
		else if (q)
			fw_climb(cfg, q, now);
	}
	__builtin_memcpy(r->comm, new_comm, FW_COMM_LEN);
}

/* Process t exited (its last thread). No clock: see fw_rec_release. */
FW_INLINE void fw_model_exit(const struct fw_config *cfg, __u32 t)
{
	struct fw_proc *r = FW_REC_GET(t), *q;

	if (!r)
		return;
	if (r->flags & FW_PROC_LIVE) {
		q = fw_creator_of(r);
		if (q)
			FW_ADD(&q->kids_live, -1);
	}
	if (fw_rec_keep_dead(r)) {
		r->flags = (r->flags | FW_PROC_DEAD) & ~FW_PROC_LIVE;
		return;
	}
	fw_rec_release(cfg, t);
}

#ifdef FW_DOOM_GET
/* The doom (FW_DOOM_GET: the marks store) that covers process tgid
 * (record rec), or 0: on itself (a whole doom), on its chain's root, or on
 * one of its nearest ancestors. */
FW_INLINE struct fw_doom *fw_doom_of(__u32 tgid, const struct fw_proc *rec)
{
	struct fw_doom *d = FW_DOOM_GET(tgid);
	__u32 k;
	int i;

	if (fw_doom_covers(d, rec->created_ns, 1))
		return d;
	k = rec->chain_root;
	if (k && k != tgid) {
		d = FW_DOOM_GET(k);
		if (fw_doom_covers(d, rec->created_ns, 0))
			return d;
	}
	k = rec->chain_next;
	if (k && k != tgid) {
		d = FW_DOOM_GET(k);
		if (fw_doom_covers(d, rec->created_ns, 0))
			return d;
	}
FW_LOOP
	for (i = 0; i < FW_ANC; i++) {
		k = rec->anc[i];
		if (!k)
			break;
		d = FW_DOOM_GET(k);
		if (fw_doom_covers(d, rec->created_ns, 0))
			return d;
	}
	return 0;
}
#endif

#endif /* FORKWATCH_MODEL_H */
