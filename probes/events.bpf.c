/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-event monitoring (--events, --opens): one record per new process,
 * thread or file open, sent through the events buffer after the
 * filters (-p, -c, -u) pass. Records that find no room are counted, never
 * dropped silently.
 *
 * Opens are seen at entry (the arguments) and at return (the result); the
 * path is read at return, when the kernel has already faulted it in.
 *
 * Build-time switches (validated integers from user space):
 *   FW_TP_OPEN, FW_TP_OPENAT, FW_TP_OPENAT2   syscalls:sys_{enter,exit}_<call> exist
 *   FW_RINGBUF, FW_EVENT_PAGES   a ring buffer of that many pages (common.bpf.h)
 */
#include <uapi/linux/ptrace.h> /* struct pt_regs, for the kprobe arguments */

#ifndef FW_EMBEDDED
#include "forkwatch_logic.h"
#include "common.bpf.h"
#endif

#ifndef FW_MAX_FOLLOW
#define FW_MAX_FOLLOW 32768
#endif

#ifdef FW_RINGBUF
BPF_RINGBUF_OUTPUT(events, FW_EVENT_PAGES);
#else
BPF_PERF_OUTPUT(events);
#endif
BPF_HASH(follow, u32, u8, FW_MAX_FOLLOW);             /* -p: the process and its descendants */
BPF_HASH(open_args, u32, struct fw_open_args, 8192);  /* thread id -> open in flight */
BPF_PERCPU_ARRAY(open_scratch, struct fw_open_event, 1); /* too big for the stack */

static __always_inline int fw_followed(const struct fw_config *cfg, u32 tgid)
{
	return tgid == cfg->filter_pid || follow.lookup(&tgid) != NULL;
}

/* Event records wake the poller once per FW_EVENT_BATCH of a kind on a
 * CPU, not one by one (a wakeup per record costs a context switch each at
 * storm rates); user space drains the rest every poll round. The perf
 * buffer's readers do the same with their wakeup_events. */
#define FW_EVENT_BATCH 32

/* One event record of size bytes out, counted in statistic sent (or as
 * lost when the buffer had no room). */
static __always_inline void fw_event_send(void *ctx, void *e, u32 size, u32 sent)
{
	u64 *n = stats.lookup(&sent);
	int err;

#ifdef FW_RINGBUF
	err = events.ringbuf_output(e, size,
				   n && *n % FW_EVENT_BATCH == FW_EVENT_BATCH - 1 ? FW_RB_FORCE_WAKEUP
										  : FW_RB_NO_WAKEUP);
#else
	err = events.perf_submit(ctx, e, size);
#endif
	if (err < 0)
		fw_stat(FW_STAT_EV_LOST);
	else if (n)
		(*n)++;
}

/* Every new task, before the detector: keeps the follow map and sends an
 * event record when asked. ppid: the new task's parent process where the
 * caller knows it. */
static __always_inline void fw_event_task(void *ctx, const struct fw_config *cfg, u64 now,
					  u64 id, u32 child, u32 syscall, int is_thread, u32 ppid,
					  u32 uid, const char *comm)
{
	u32 tgid = id >> 32;
	int followed = 0;
	struct fw_task_event e = {};

	if (cfg->filter & FW_FILTER_PID) {
		followed = fw_followed(cfg, tgid);
		if (followed && !is_thread) {
			u8 one = 1;

			follow.update(&child, &one);
		}
	}
	if (!(cfg->events & (is_thread ? FW_EV_THREAD : FW_EV_PROCESS)))
		return;
	e.uid = uid;
	__builtin_memcpy(e.comm, comm, sizeof(e.comm));
	if (!fw_filter_pass(cfg, followed, e.uid, e.comm))
		return;
	e.ts_ns = now;
	e.type = is_thread ? FW_EVENT_THREAD : FW_EVENT_PROCESS;
	e.pid = is_thread ? tgid : child;
	e.tid = child;
	e.ppid = ppid;
	e.syscall = syscall;
	e.creator = (u32)id;
	fw_event_send(ctx, &e, sizeof(e), is_thread ? FW_STAT_EV_THREAD : FW_STAT_EV_PROCESS);
}

/* The last thread of a process exited. */
static __always_inline void fw_event_exit(const struct fw_config *cfg, u32 tgid)
{
	if (cfg && (cfg->filter & FW_FILTER_PID))
		follow.delete(&tgid);
}

static __always_inline int fw_open_enter(u64 filename, u64 flags, u32 call)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct fw_open_args a = {};

	a.filename = filename;
	a.flags = flags;
	a.call = call;
	fw_stat(FW_STAT_OPENS);
	open_args.update(&tid, &a);
	return 0;
}

static __always_inline int fw_open_exit(void *ctx, s64 ret)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id, tgid = id >> 32, zero = 0;
	struct fw_open_args *in = open_args.lookup(&tid);
	struct fw_config *cfg = fw_config_get();
	struct fw_open_event *e;
	u64 filename;
	int n;

	if (!in)
		return 0;
	filename = in->filename;
	e = open_scratch.lookup(&zero);
	if (!e) {
		open_args.delete(&tid);
		return 0;
	}
	e->flags = in->flags;
	e->call = in->call;
	open_args.delete(&tid);
	if (ret < 0)
		fw_stat(FW_STAT_OPENS_FAILED);
	if (!cfg || !(cfg->events & FW_EV_OPEN))
		return 0;
	e->uid = (u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	if (!fw_filter_pass(cfg, (cfg->filter & FW_FILTER_PID) && fw_followed(cfg, tgid), e->uid,
			    e->comm))
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->type = FW_EVENT_OPEN;
	e->pid = tgid;
	e->tid = tid;
	e->ret = ret;
	e->path_status = FW_PATH_OK;
	n = bpf_probe_read_user_str(e->path, sizeof(e->path), (void *)filename);
	if (n < 0) {
		e->path[0] = '\0';
		e->path_status = FW_PATH_UNREADABLE;
	} else if (n == FW_PATH_LEN) {
		char next = 0; /* the byte after the last one kept: the path went on? */

		bpf_probe_read_user(&next, 1, (void *)(filename + FW_PATH_LEN - 1));
		if (next)
			e->path_status = FW_PATH_TRUNCATED;
	}
	fw_event_send(ctx, e, sizeof(*e), FW_STAT_EV_OPEN);
	return 0;
}

/* kprobe path: do_sys_openat2(dfd, filename, struct open_how *how), where
 * every open syscall meets (5.6+); open_how is uapi, flags come first. */
int fw_kp_openat2(struct pt_regs *ctx)
{
	u64 flags = 0;

	bpf_probe_read_kernel(&flags, sizeof(flags), (void *)PT_REGS_PARM3(ctx));
	return fw_open_enter(PT_REGS_PARM2(ctx), flags, FW_OPEN_KERNEL);
}

/* Before 5.6: do_sys_open(dfd, filename, flags, mode). */
int fw_kp_open_legacy(struct pt_regs *ctx)
{
	return fw_open_enter(PT_REGS_PARM2(ctx), (u32)PT_REGS_PARM3(ctx), FW_OPEN_KERNEL);
}

int fw_kretp_open(struct pt_regs *ctx)
{
	return fw_open_exit(ctx, (s64)PT_REGS_RC(ctx));
}

#ifdef FW_TP_OPEN
TRACEPOINT_PROBE(syscalls, sys_enter_open)
{
	return fw_open_enter((u64)args->filename, (u64)args->flags, FW_OPEN_OPEN);
}
TRACEPOINT_PROBE(syscalls, sys_exit_open) { return fw_open_exit(args, args->ret); }
#endif
#ifdef FW_TP_OPENAT
TRACEPOINT_PROBE(syscalls, sys_enter_openat)
{
	return fw_open_enter((u64)args->filename, (u64)args->flags, FW_OPEN_OPENAT);
}
TRACEPOINT_PROBE(syscalls, sys_exit_openat) { return fw_open_exit(args, args->ret); }
#endif
#ifdef FW_TP_OPENAT2
TRACEPOINT_PROBE(syscalls, sys_enter_openat2)
{
	u64 flags = 0; /* struct open_how in user memory; flags come first */

	bpf_probe_read_user(&flags, sizeof(flags), (void *)args->how);
	return fw_open_enter((u64)args->filename, flags, FW_OPEN_OPENAT2);
}
TRACEPOINT_PROBE(syscalls, sys_exit_openat2) { return fw_open_exit(args, args->ret); }
#endif
