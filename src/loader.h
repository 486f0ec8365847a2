/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel-facing glue: every libbcc call lives here, kept thin. */
#ifndef FW_LOADER_H
#define FW_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_MAX_ATTACH 32
#define FW_MAX_CPUS 1024

struct perf_reader;
struct ring_buffer;

enum fw_attach_kind { FW_ATTACH_TRACEPOINT, FW_ATTACH_KPROBE, FW_ATTACH_LSM, FW_ATTACH_XDP };

struct fw_attachment {
	int fd;
	char fn[64];        /* the program */
	enum fw_attach_kind kind;
	char event[160];    /* kprobe event name */
	char category[64];  /* tracepoint */
	char name[64];      /* tracepoint, LSM hook, or XDP interface */
	unsigned int xdp_flags;
};

struct fw_prog {
	char fn[64];
	int fd;
};

struct fw_table_fd {
	char name[32];
	int fd;
};

#define FW_MAX_TABLES 32
#define FW_MAX_RINGS 4

typedef void (*fw_sample_cb)(void *cookie, void *data, int size);
typedef void (*fw_lost_cb)(void *cookie, uint64_t lost);

/* A ring buffer table's callback (the ring buffer manager's context). */
struct fw_ring_reader {
	fw_sample_cb cb;
	void *cookie;
};

struct fw_bpf {
	int helper_sock;      /* to the compiler helper, -1 once released */
	int helper_pid;
	long helper_maxrss_kb; /* its peak memory, once it is gone */
	struct fw_table_fd tables[FW_MAX_TABLES]; /* our own copies of map fds */
	size_t ntables;
	bool verbose;
	struct fw_prog progs[FW_MAX_ATTACH];
	size_t nprogs;
	struct fw_attachment att[FW_MAX_ATTACH];
	size_t natt;
	/* Perf readers of every perf table opened, one per CPU per table. */
	struct perf_reader *readers[2 * FW_MAX_CPUS];
	int reader_cpus[2 * FW_MAX_CPUS];
	int reader_map_fds[2 * FW_MAX_CPUS];
	int nreaders;
	/* Or one ring buffer manager for every ring buffer table opened. */
	struct ring_buffer *ring;
	struct fw_ring_reader rings[FW_MAX_RINGS];
	size_t nrings;
	char last_error[512]; /* the most telling line libbcc printed */
};

/* Compiles the probe in a helper process (which loads libbcc, clang and
 * LLVM; the caller never maps them); libbcc's own output is kept back
 * unless verbose, and its most telling line is left in b->last_error.
 * Programs and maps are then fetched from the helper as they are needed,
 * until fw_bpf_release_compiler. */
int fw_bpf_compile(struct fw_bpf *b, const char *source, const char **cflags, int ncflags,
		   bool verbose);
/* An entry kprobe, or with ret a return probe (kretprobe). */
int fw_bpf_attach_kprobe(struct fw_bpf *b, const char *fn, const char *symbol, bool ret);
int fw_bpf_attach_tracepoint(struct fw_bpf *b, const char *fn, const char *category,
			     const char *name);
/* A BPF-LSM program (LSM_PROBE(hook, ...) compiles to lsm__<hook>). Needs
 * kernel BTF and the bpf LSM active; -1 otherwise, the kernel's reason in
 * b->last_error and errno. */
int fw_bpf_attach_lsm(struct fw_bpf *b, const char *fn);
/* An XDP program on an interface, flags as for bpf_attach_xdp
 * (XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE, XDP_FLAGS_UPDATE_IF_NOEXIST). */
int fw_bpf_attach_xdp(struct fw_bpf *b, const char *fn, const char *ifname, unsigned int flags);
/* Loads program fn as a tracepoint program now, so that it can be attached
 * after fw_bpf_release_compiler (on demand). */
int fw_bpf_load_tracepoint(struct fw_bpf *b, const char *fn);
/* Detaches every attachment of program fn; how many there were. */
int fw_bpf_detach_fn(struct fw_bpf *b, const char *fn);
/* Detaches every attachment of a kind made so far (kprobes, for the
 * fallback to tracepoints; LSM hooks, for the examples' fallback). */
void fw_bpf_detach_kind(struct fw_bpf *b, enum fw_attach_kind kind);
/* A map's fd, owned by b (it outlives the compiler module). -1 if none. */
int fw_bpf_table_fd(struct fw_bpf *b, const char *table);
/* Once every program that may be attached is loaded and every map
 * fetched: ends the compiler helper (b->helper_maxrss_kb then holds its
 * peak memory). Maps, programs, probes and perf readers are unaffected;
 * attaching a loaded program goes on working. */
void fw_bpf_release_compiler(struct fw_bpf *b);
/* Opens one reader per online CPU for a BPF_PERF_OUTPUT table, page_cnt
 * pages each (a power of two), waking the poller every wakeup_events
 * records. May be called for several tables. */
int fw_bpf_open_perf(struct fw_bpf *b, const char *table, fw_sample_cb cb, fw_lost_cb lost,
		     void *cookie, int page_cnt, int wakeup_events);
/* Can this kernel make BPF ring buffers (5.8 on, or a backport)? Needs
 * the privilege to create maps. */
bool fw_bpf_ringbuf_supported(void);
/* Reads a BPF_RINGBUF_OUTPUT table, with the tables opened before it. The
 * probe counts what found no room: a ring buffer tells its reader nothing. */
int fw_bpf_open_ring(struct fw_bpf *b, const char *table, fw_sample_cb cb, void *cookie);
/* Waits up to timeout_ms for records (ring buffers, else perf buffers)
 * and hands each to its callback. */
void fw_bpf_poll(struct fw_bpf *b, int timeout_ms);
void fw_bpf_drain(struct fw_bpf *b);
/* Detach, free readers, close programs, destroy the module. Idempotent. */
void fw_bpf_close(struct fw_bpf *b);

#endif
