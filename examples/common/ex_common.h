/* SPDX-License-Identifier: GPL-2.0 */
/* What every enforcement example shares with bcc-forkwatch: the same
 * checks of the running kernel (tracefs, headers) and the same loader
 * (src/loader.c), so the examples stay small. The glue lives here; the
 * examples' pure logic is in ex_lists.c. */
#ifndef EX_COMMON_H
#define EX_COMMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "headers.h"
#include "loader.h"
#include "options.h" /* exit codes, shared with bcc-forkwatch */

#include <getopt.h>

struct ex_kernel {
	struct utsname uts;
	char tracefs[256];
	bool tracefs_mounted;
	struct fw_headers hdr;
};

/* The options every example takes, parsed by ex_option. */
struct ex_options {
	const char *log;     /* -o, --log FILE */
	const char *headers; /* -K, --kernel-headers DIR */
	unsigned duration;   /* -d, --duration SECONDS (0: until Ctrl-C) */
	bool verbose;	     /* -v, --verbose */
	void (*usage)(FILE *);
};
#define EX_SHORTOPTS "o:d:K:vh"
#define EX_LONGOPTS                                                 \
	{ "log", required_argument, NULL, 'o' },                    \
	{ "duration", required_argument, NULL, 'd' },               \
	{ "kernel-headers", required_argument, NULL, 'K' },         \
	{ "verbose", no_argument, NULL, 'v' },                      \
	{ "help", no_argument, NULL, 'h' }

/* One getopt_long result: a common option (returns 1; --help prints the
 * usage and exits 0), a missing value or an unknown option (returns -1 with
 * the reason in err), or the example's own (returns 0). */
int ex_option(int c, char **argv, struct ex_options *o, char *err, size_t errlen);

/* Where BPF-LSM may be used, or the opener killed instead. */
enum ex_mode { EX_MODE_AUTO, EX_MODE_LSM, EX_MODE_KILL };
int ex_parse_mode(const char *arg, enum ex_mode *mode, char *err, size_t errlen);

/* Perf buffer losses, summed for the summary line (fw_lost_cb). */
extern unsigned long long ex_lost_events;
void ex_on_lost(void *cookie, uint64_t lost);

/* Set by SIGINT, SIGTERM, SIGHUP and SIGALRM (--duration); the examples
 * poll until then. */
extern volatile sig_atomic_t ex_stop;
void ex_catch_signals(void);

/* "prog: message", one line on stderr. */
void ex_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Root, tracefs and kernel headers (headers_dir: an explicit tree, or NULL
 * to search as bcc-forkwatch does). Returns an FW_EXIT_* code, after
 * saying why. */
int ex_kernel_setup(struct ex_kernel *k, const char *headers_dir);

bool ex_has_syscall_tracepoint(const struct ex_kernel *k, const char *event);

/* Why BPF-LSM programs cannot be used here, or NULL when they may be
 * (kernel BTF readable, and the bpf LSM active or the list unreadable).
 * Loading is the final test. */
const char *ex_bpf_lsm_unavailable(void);

/* Compiles source with cflags; on failure says why and returns FW_EXIT_BPF. */
int ex_compile(struct fw_bpf *b, const char *source, const char **cflags, int ncflags,
	       bool verbose);

/* Logging of enforcement events: a local timestamp, then the text, on
 * stdout and (when opened) appended to a log file, flushed per line. */
int ex_log_open(const char *path);
void ex_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ex_log_close(void);

/* Polls b's perf buffers until ex_stop, calling tick (if any) about every
 * tick_ms; drains what is left at the end. */
void ex_poll_until_stopped(struct fw_bpf *b, void (*tick)(void *), void *cookie, int tick_ms);

/* The sum over every possible CPU of a per-CPU array's u64 at key; 0 if
 * it cannot be read. */
uint64_t ex_percpu_sum(int map_fd, uint32_t key);

#endif
