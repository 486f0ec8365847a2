// SPDX-License-Identifier: GPL-2.0
/*
 * file-guard's probe. Two ways to guard, chosen at start:
 *  - EX_LSM: a BPF-LSM program on file_open denies the open (-EPERM).
 *    Files are matched by inode (dev, ino), the file's and its ancestors',
 *    so a guarded directory guards what is below it, under any name.
 *  - otherwise: the open syscalls' entry tracepoints match the path string
 *    as passed and kill the opener (SIGKILL, delivered before the syscall
 *    returns to user space: the caller never gets the descriptor).
 * Settings arrive through maps, filled before anything is attached.
 */
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/dcache.h>

BPF_HASH(allowed_comms, struct fg_comm_key, u8, 256);
BPF_HASH(guarded_inodes, struct fg_inode_key, u32, FG_MAX_ENTRIES);
BPF_HASH(guarded_paths, struct fg_path_key, u32, 2 * FG_MAX_ENTRIES); /* a path and its resolved form */
BPF_ARRAY(guarded_dirs, struct fg_dir, FG_MAX_DIRS);
BPF_PERCPU_ARRAY(counters, u64, FG_COUNTERS);
BPF_PERCPU_ARRAY(event_scratch, struct fg_event, 1);
BPF_PERCPU_ARRAY(path_scratch, struct fg_path_key, 1);
BPF_PERF_OUTPUT(events);

static __always_inline void fg_count(int which)
{
	u64 *c = counters.lookup(&which);

	if (c)
		(*c)++;
}

static __always_inline bool fg_comm_allowed(void)
{
	struct fg_comm_key key = {};

	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	return allowed_comms.lookup(&key) != NULL;
}

/* The event, its name filled by the caller. NULL if the scratch is gone. */
static __always_inline struct fg_event *fg_event_new(u32 index, u32 action)
{
	int zero = 0;
	struct fg_event *e = event_scratch.lookup(&zero);
	u64 id = bpf_get_current_pid_tgid();

	if (!e)
		return NULL;
	e->pid = (u32)id;
	e->tgid = id >> 32;
	e->uid = (u32)bpf_get_current_uid_gid();
	e->index = index;
	e->action = action;
	e->flags = 0;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	return e;
}

#if EX_LSM
LSM_PROBE(file_open, struct file *file)
{
	struct dentry *d = file->f_path.dentry, *parent;
	struct fg_inode_key key = {};
	struct fg_event *e;
	struct inode *inode;
	u32 *index = NULL;
	int i;

	for (i = 0; i < FG_MAX_DEPTH; i++) {
		inode = d->d_inode;
		if (!inode)
			break;
		key.ino = inode->i_ino;
		key.dev = inode->i_sb->s_dev;
		index = guarded_inodes.lookup(&key);
		if (index)
			break;
		parent = d->d_parent;
		if (parent == d)
			break; /* the root of its mount */
		d = parent;
	}
	if (!index)
		return 0;
	if (fg_comm_allowed()) {
		fg_count(FG_COUNT_ALLOWED);
		return 0;
	}
	fg_count(FG_COUNT_BLOCKED);
	e = fg_event_new(*index, FG_DENIED);
	if (e) {
		d = file->f_path.dentry;
		bpf_probe_read_kernel_str(&e->name, sizeof(e->name), d->d_name.name);
		if (events.perf_submit(ctx, e, sizeof(*e)) < 0)
			fg_count(FG_COUNT_LOST);
	}
	return -EPERM;
}
#endif

/* Does path (NUL-padded) name a guarded path, or lie below a guarded
 * directory? Returns the entry's index + 1, or 0. */
static __always_inline u32 fg_path_match(struct fg_path_key *path)
{
	u32 *index = guarded_paths.lookup(path);
	int slot, j;

	if (index)
		return *index + 1;
	for (slot = 0; slot < FG_MAX_DIRS; slot++) {
		int s = slot;
		struct fg_dir *dir = guarded_dirs.lookup(&s);
		u32 len;

		if (!dir || dir->len == 0)
			break;
		len = dir->len;
		/* len is checked against the bound only after the loop: checked
		 * before, clang drops the loop's own bound, and the verifier
		 * cannot follow. */
		for (j = 0; j < FG_PATH_LEN; j++) {
			if (j >= len)
				break;
			if (path->path[j] != dir->path[j])
				break;
		}
		if (j == len && len < FG_PATH_LEN && path->path[len & (FG_PATH_LEN - 1)] == '/')
			return dir->index + 1;
	}
	return 0;
}

static __always_inline int fg_on_open(void *ctx, const char *filename, u32 flags)
{
	int zero = 0;
	struct fg_path_key *path = path_scratch.lookup(&zero);
	struct fg_event *e;
	u32 match;

	if (!path)
		return 0;
	__builtin_memset(path, 0, sizeof(*path));
	if (bpf_probe_read_user_str(path->path, sizeof(path->path), filename) <= 1)
		return 0;
	match = fg_path_match(path);
	if (!match)
		return 0;
	if (fg_comm_allowed()) {
		fg_count(FG_COUNT_ALLOWED);
		return 0;
	}
	bpf_send_signal(9);
	fg_count(FG_COUNT_BLOCKED);
	e = fg_event_new(match - 1, FG_KILLED);
	if (e) {
		e->flags = flags;
		__builtin_memcpy(e->name, path->path, sizeof(e->name));
		if (events.perf_submit(ctx, e, sizeof(*e)) < 0)
			fg_count(FG_COUNT_LOST);
	}
	return 0;
}

#if EX_TP_OPEN
TRACEPOINT_PROBE(syscalls, sys_enter_open)
{
	return fg_on_open(args, args->filename, (u32)args->flags);
}
#endif
#if EX_TP_OPENAT
TRACEPOINT_PROBE(syscalls, sys_enter_openat)
{
	return fg_on_open(args, args->filename, (u32)args->flags);
}
#endif
#if EX_TP_OPENAT2
TRACEPOINT_PROBE(syscalls, sys_enter_openat2)
{
	return fg_on_open(args, args->filename, 0);
}
#endif
