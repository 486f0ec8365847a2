/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who an alert is about: the offender's cgroup, the systemd unit and slice
 * and the container it belongs to, its pid namespace, its user and its
 * command line. Read from /proc once per alert (context_proc.c, the glue);
 * everything that turns that text into fields is here, pure, unit-tested
 * (tests/test_context.c) and fuzzed (tests/fuzz/fuzz_context.c).
 */
#ifndef FW_CONTEXT_H
#define FW_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_CTX_CGROUP_LEN 512   /* escaped; a longer path is cut and ends in "..." */
#define FW_CTX_UNIT_LEN 256
#define FW_CTX_CMDLINE_LEN 512  /* escaped; see fw_context_escape_cmdline */
#define FW_CTX_CMDLINE_READ 4096 /* bytes of /proc/PID/cmdline read at most */
#define FW_CTX_USER_LEN 64
#define FW_CTX_CONTAINER_LEN 65 /* 64 hex digits */

/* Where the context was read from. */
enum fw_context_source {
	FW_CTX_NONE = 0,   /* neither the root nor the member was there to read */
	FW_CTX_ROOT = 1,   /* the named root itself */
	FW_CTX_MEMBER = 2, /* the root was gone: the live member that made the last child */
	FW_CTX_CGROUP = 3, /* every process was gone: the cgroup the verdict's creator was in,
			    * by the id the probe read (cgroup, unit, slice, container, and
			    * the alert's uid; no command line, no pid namespace) */
};

struct fw_context {
	enum fw_context_source source;
	uint32_t pid;                       /* the process it was read from (0: none) */
	char cgroup[FW_CTX_CGROUP_LEN];     /* "/system.slice/foo.service" ("" unknown) */
	const char *hierarchy;              /* which line it came from: "v2", "systemd"
					     * (v1 name=systemd), "pids" (v1); "" unknown */
	char unit[FW_CTX_UNIT_LEN];         /* "foo.service" ("" none) */
	char slice[FW_CTX_UNIT_LEN];        /* "system.slice" ("" none) */
	char container[FW_CTX_CONTAINER_LEN]; /* full id ("" none) */
	const char *runtime;                /* "docker", "containerd", "cri-o", "podman",
					     * "cri" (kubelet's cgroupfs layout), "unknown";
					     * "" when not in a container */
	/* Its pid namespace, from NSpid: how many below the tool's (0: the
	 * same), and its pid in the innermost. Not the namespace's inode:
	 * /proc/PID/ns/pid needs ptrace rights over the process, which the
	 * sandboxed watcher does not keep. */
	uint32_t ns_level;
	uint32_t ns_pid;                    /* 0 when ns_level is 0 */
	bool has_uid;
	uint32_t uid;
	char user[FW_CTX_USER_LEN];         /* from /etc/passwd ("" not there) */
	char cmdline[FW_CTX_CMDLINE_LEN];   /* escaped argv ("" none: a zombie, a kthread) */
	bool cmdline_truncated;
};

/* /proc/PID/cgroup text: the path the context names, into out (len bytes,
 * raw as the kernel wrote it). The cgroup v2 line ("0::/path") when it is
 * not the root; else v1's name=systemd hierarchy, else v1's pids hierarchy,
 * each only when not the root; else the first of them there ("/"). The
 * hierarchy's name ("v2", "systemd", "pids") is returned, NULL when none of
 * the three lines is there or its path does not fit. */
const char *fw_context_cgroup_choose(const char *text, char *out, size_t len);

/* systemd's reading of a cgroup path (as cg_path_get_unit and
 * cg_path_get_slice do): the slice is the last of the leading ".slice"
 * names, the unit the first name after them when it is a unit name
 * (.service, .scope, .socket, .mount, .swap); "-.slice" for a unit right
 * under the root. "" for what is not there. */
void fw_context_systemd(const char *path, char *unit, size_t unit_len, char *slice,
			size_t slice_len);

/* The container a cgroup path belongs to: the innermost name matching a
 * runtime's pattern (README, "Who is it"):
 *   docker-ID.scope (docker, systemd driver), docker/ID (docker, cgroupfs),
 *   cri-containerd-ID.scope and nerdctl-ID.scope (containerd),
 *   crio-ID.scope and crio-ID (cri-o; not crio-conmon-ID),
 *   libpod-ID.scope and libpod-ID (podman; not libpod-conmon-ID),
 *   ID below a kubepods cgroup (kubelet's cgroupfs driver: "cri"),
 *   any other ID alone ("unknown"),
 * where ID is 64 hex digits. Returns the runtime and puts the ID in id (65
 * bytes), or returns NULL (id ""). */
const char *fw_context_container(const char *path, char *id, size_t len);

/* /proc/PID/status: the NSpid line's last pid (the pid inside its own
 * namespace) and how many namespaces below the reader's it is. 0 with
 * *levels 0 when it is in the reader's; -1 when there is no NSpid line. */
int fw_context_nspid(const char *status, uint32_t *inner, uint32_t *levels);

/* /proc/PID/stat: field 22, the start time in clock ticks since boot. 0, or
 * -1 when garbled. */
int fw_context_stat_starttime(const char *stat, uint64_t *ticks);

/* Was a process that started at start_ticks (of hz a second, since boot)
 * started after the alert at alert_boot_ns (CLOCK_BOOTTIME)? Then it is
 * not the one the alert named (its pid was reused). A tick's slack. */
bool fw_context_started_after(uint64_t start_ticks, long hz, uint64_t alert_boot_ns);

/* /etc/passwd: the name on line when its uid is uid (one line, with or
 * without its newline). 0 with the name in out, else -1. */
int fw_context_passwd_name(const char *line, uint32_t uid, char *out, size_t len);

/* /proc/PID/cmdline (n bytes: arguments each ended by a NUL) as one line:
 * arguments separated by spaces; one made only of [A-Za-z0-9_@%+=:,./-]
 * stays bare, any other is single-quoted as a shell would ('\'' for a
 * quote); bytes below 0x20, from 0x7f up and the backslash become \xNN.
 * At most len - 1 bytes: what does not fit is cut at an argument or
 * escape boundary and "..." ends it. Returns true when it was cut. */
bool fw_context_escape_cmdline(const char *raw, size_t n, char *out, size_t len);

/* A cgroup path for output: control bytes, bytes from 0x7f up and the
 * backslash as \xNN; cut with "..." when it does not fit. */
void fw_context_escape_path(const char *raw, char *out, size_t len);

/* Fills c's cgroup, hierarchy, unit, slice, container and runtime from
 * /proc/PID/cgroup text. */
void fw_context_from_cgroup(const char *text, struct fw_context *c);

/* Prometheus: the unit label of an alert counter. Its values are bounded
 * in two steps: here, every container's scope becomes its runtime
 * ("container:docker"), a login session's scope "session.scope" and a
 * user's manager "user@.service" (ids would make a new label each); no
 * unit is "none". Then fw_unit_labels keeps the first FW_UNIT_LABELS_MAX
 * values and counts the rest as "other". */
void fw_context_unit_label(const struct fw_context *c, char *out, size_t len);

/* A process whose context may be read: its pid, and the time
 * (CLOCK_MONOTONIC, as the probe stamps) by which it existed: a process at
 * that pid started later is another one (its pid was reused). */
struct fw_context_candidate {
	uint32_t pid;
	uint64_t born_by_ns;
};

/* Glue (context_proc.c): the context of the first candidate that can be
 * read from /proc now (there, not a zombie, not started after its
 * born_by_ns). The first is the root (source FW_CTX_ROOT), the others live
 * members of its lineage (FW_CTX_MEMBER); FW_CTX_NONE when none was. */
void fw_context_read(const struct fw_context_candidate *cands, size_t n, struct fw_context *c);

/* Glue: when no process could be read, the context of cgroup v2 id (the
 * probe's bpf_get_current_cgroup_id at the verdict): the directory of that
 * id on the cgroup2 mount, and uid's name (source FW_CTX_CGROUP). Leaves c
 * as it is when id is 0 or no such directory is there (the cgroup was
 * removed, or no cgroup2 mount). */
void fw_context_read_cgroup_id(uint64_t id, uint32_t uid, struct fw_context *c);

/* Glue: the mount point of the first cgroup2 file system in /proc/mounts
 * into out. 0, or -1 when there is none (or it does not fit). */
int fw_cgroup2_mount(char *out, size_t len);

/* Glue: the cgroup id of directory name below dirfd (as openat takes
 * them): its file handle on cgroupfs, which is what the kernel's cgroup id
 * is. 0, or -1 with errno. */
int fw_cgroup_id_at(int dirfd, const char *name, uint64_t *id);

#define FW_UNIT_LABELS_MAX 16

/* The label table: a label's slot, added when there is room, else the
 * "other" slot (FW_UNIT_LABELS_MAX). Written by one thread (alerts), read
 * by another (the metrics endpoint): a slot's name is set before n counts
 * it. */
struct fw_unit_labels {
	char names[FW_UNIT_LABELS_MAX][FW_CTX_UNIT_LEN];
	uint32_t n;
};
size_t fw_unit_label_slot(struct fw_unit_labels *t, const char *label);

#endif
