/* SPDX-License-Identifier: GPL-2.0 */
/* What file_guard.bpf.c and file_guard.c share: map keys and the event.
 * Fixed-width types only; the probe sees this text too. */
#ifndef FILE_GUARD_H
#define FILE_GUARD_H

#define FG_PATH_LEN 256	 /* EX_PATH_LEN */
#define FG_MAX_DIRS 8	 /* guarded directories the fallback compares by prefix */
#define FG_MAX_DEPTH 16	 /* ancestors the LSM hook looks at for a guarded directory */
#define FG_MAX_ENTRIES 1024

enum fg_action { FG_DENIED = 1, FG_KILLED = 2 };
enum fg_counter { FG_COUNT_BLOCKED, FG_COUNT_ALLOWED, FG_COUNT_LOST, FG_COUNTERS };

struct fg_inode_key {
	__u64 ino;
	__u32 dev; /* the kernel's dev_t: major << 20 | minor */
	__u32 pad;
};

struct fg_path_key {
	char path[FG_PATH_LEN];
};

/* A guarded directory for the fallback: the openat path must start with
 * path[0..len) followed by '/'. */
struct fg_dir {
	__u32 len;
	__u32 index;
	char path[FG_PATH_LEN];
};

struct fg_comm_key {
	char comm[16];
};

struct fg_event {
	__u32 pid;
	__u32 tgid;
	__u32 uid;
	__u32 index; /* which guarded entry matched, as given on the command line */
	__u32 action;
	__u32 flags; /* the open's flags (fallback only) */
	char comm[16];
	char name[FG_PATH_LEN]; /* the path as passed (fallback) or the file's name (LSM) */
};

#endif
