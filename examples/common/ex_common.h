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

/* Their help lines, the same in every example's --help. */
#define EX_USAGE_COMMON                                                                  \
	"  -d, --duration SECONDS      stop after this long (default: until Ctrl-C)\n"       \
	"  -K, --kernel-headers DIR    kernel headers for the BPF compiler\n"                \
	"  -v, --verbose               show the BPF compiler's and loader's messages\n"      \
	"  -h, --help                  this help\n"

/* One getopt_long result: a common option (returns 1; --help prints the
 * usage and exits 0), a missing value or an unknown option (returns -1 with
 * the reason in err), or the example's own (returns 0). */
int ex_option(int c, char **argv, struct ex_options *o, char *err, size_t errlen);

/* Where BPF-LSM may be used, or the opener killed instead. */
enum ex_mode { EX_MODE_AUTO, EX_MODE_LSM, EX_MODE_KILL };
int ex_parse_mode(const char *arg, enum ex_mode *mode, char *err, size_t errlen);

/* Perf buffer losses, summed for the summary line. */
extern unsigned long long ex_lost_events;

/* Set by SIGINT, SIGTERM, SIGHUP and SIGALRM (--duration), caught from
 * ex_start on; the examples poll until then. */
extern volatile sig_atomic_t ex_stop;

/* "prog: message", one line on stderr. */
void ex_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The log (--log), root, tracefs and kernel headers (--kernel-headers, or
 * the search bcc-forkwatch makes). Returns an FW_EXIT_* code, after saying
 * why. */
int ex_kernel_setup(struct ex_kernel *k, const struct ex_options *o);

bool ex_has_syscall_tracepoint(const struct ex_kernel *k, const char *event);

/* Why BPF-LSM programs cannot be used here, or NULL when they may be
 * (kernel BTF readable, and the bpf LSM active or the list unreadable).
 * Loading is the final test. */
const char *ex_bpf_lsm_unavailable(void);

/* Compiles source with cflags; on failure says why and returns FW_EXIT_BPF. */
int ex_compile(struct fw_bpf *b, const char *source, const char **cflags, int ncflags,
	       bool verbose);

/* Logging of enforcement events: a local timestamp, then the text, on
 * stdout and (when --log opened one) appended to a log file, flushed per
 * line. */
void ex_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same without the timestamp (the rows of a table under an ex_log line). */
void ex_log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ex_log_close(void);

/* Says why (one line), closes b, and returns FW_EXIT_BPF: the way out
 * once the probe is compiled. */
int ex_abort(struct fw_bpf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Attaches TRACEPOINT_PROBE(category, event); says why not and returns -1. */
int ex_attach_tracepoint(struct fw_bpf *b, const char *category, const char *event);

/* A syscall tracepoint the probe has a handler for, compiled in by cflag
 * (an -D integer) when this kernel has the tracepoint. */
struct ex_syscall_tp {
	const char *event; /* sys_enter_openat */
	const char *cflag; /* -DEX_TP_OPENAT=1 */
};
/* Appends the cflag of every one this kernel has to cflags. */
void ex_syscall_tp_cflags(const struct ex_kernel *k, const struct ex_syscall_tp *tps, size_t n,
			  const char **cflags, int *ncflags);
/* Attaches every one this kernel has. Returns how many, or -1 after saying
 * why: one did not attach, or none exists (what names them). */
int ex_attach_syscall_tps(struct fw_bpf *b, const struct ex_kernel *k,
			  const struct ex_syscall_tp *tps, size_t n, const char *what);

/* The choice between BPF-LSM and killing, for the examples that have both. */
struct ex_lsm {
	enum ex_mode mode;
	const char *why_not; /* NULL: try BPF-LSM */
	char buf[700];
	char reason[800];
};
/* Before compiling: whether to try BPF-LSM (ex_lsm_try). blocker is the
 * example's own reason not to, or NULL. Returns -1 after saying why when
 * --mode lsm cannot be had. */
int ex_lsm_plan(struct ex_lsm *l, enum ex_mode mode, const char *blocker);
bool ex_lsm_try(const struct ex_lsm *l);
/* After the LSM programs failed to load or attach (b->last_error says why,
 * kept in why_not): -1 for --mode lsm; else detaches any that did attach,
 * and 0: the kill mode follows. */
int ex_lsm_failed(struct ex_lsm *l, struct fw_bpf *b);
/* For the start line of kill mode: " (asked for)" or ", since BPF-LSM is
 * unavailable (why)". */
const char *ex_lsm_kill_reason(struct ex_lsm *l);

/* Opens the "events" perf buffer (when on_event is given), releases the
 * compiler, catches the stop signals, drops to least privilege (sandbox.h:
 * CAP_BPF, and CAP_NET_ADMIN when it detaches XDP at exit; no_new_privs;
 * the seccomp allow-list) and arms --duration. FW_EXIT_OK, or FW_EXIT_BPF
 * or FW_EXIT_SANDBOX after saying why (b closed). */
int ex_start(struct fw_bpf *b, fw_sample_cb on_event, unsigned duration, bool detaches_xdp);

/* Polls b's perf buffers until ex_stop, calling tick (if any) about every
 * tick_ms; drains what is left at the end. */
void ex_poll_until_stopped(struct fw_bpf *b, void (*tick)(void *), void *cookie, int tick_ms);

/* The sum over every possible CPU of a per-CPU array's u64 at key; 0 if
 * it cannot be read. */
uint64_t ex_percpu_sum(int map_fd, uint32_t key);

#endif
