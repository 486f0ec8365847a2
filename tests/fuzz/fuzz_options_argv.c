// SPDX-License-Identifier: GPL-2.0
/* The whole command line: the fuzz input cut at NUL bytes into argv, then
 * fw_options_parse, the function main() calls (it returns a verdict and
 * never exits). What it accepts must hold the documented bounds, and what
 * it refuses must say why in err. */
#include <stdbool.h>

#include "fuzz.h"
#include "options.h"

#define MAX_ARGS 64

static FILE *devnull; /* where --help and --version print */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

static bool valid_comm(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	return n >= 1 && n <= 15 && n < size;
}

/* The bounds --help documents, and the combinations it refuses. */
static void check_accepted(const struct fw_options *o)
{
	size_t i, j;

	FUZZ_CHECK(o->proc_threshold >= 1 && o->proc_threshold <= 10000000);
	FUZZ_CHECK(o->rank >= FW_MIN_RANK && o->rank <= FW_MAX_RANK);
	FUZZ_CHECK(o->chain >= FW_MIN_CHAIN && o->chain <= 10000000);
	FUZZ_CHECK(o->spawn_max >= FW_MIN_SPAWN_MAX && o->spawn_max <= 10000000);
	FUZZ_CHECK(o->established_ns >= 1000000000ULL && o->established_ns <= 86400000000000ULL);
	FUZZ_CHECK(o->window_ns >= 10000000ULL && o->window_ns <= 60000000000ULL);
	FUZZ_CHECK(o->duration_ns <= 366ULL * 86400 * 1000000000ULL);
	FUZZ_CHECK(o->thread_threshold >= 1 && o->thread_threshold <= 10000000);
	FUZZ_CHECK(o->kill_thread == (o->thread_threshold > 5000000 ? 10000000 : 2 * o->thread_threshold));
	FUZZ_CHECK(o->buffer_pages >= 1 && o->buffer_pages <= FW_MAX_BUFFER_PAGES &&
		   (o->buffer_pages & (o->buffer_pages - 1)) == 0);
	FUZZ_CHECK(o->mode == FW_MODE_AUTO || o->mode == FW_MODE_KPROBE ||
		   o->mode == FW_MODE_TRACEPOINT);
	FUZZ_CHECK(!o->arch_probe || (o->arch_probe[0] && o->mode != FW_MODE_TRACEPOINT));
	FUZZ_CHECK(!o->log_path || o->log_path[0]);
	FUZZ_CHECK(!o->kernel_headers || o->kernel_headers[0]);
	FUZZ_CHECK(!o->metrics_textfile || o->metrics_textfile[0]);
	if (o->filter_pid)
		FUZZ_CHECK(o->pid >= 1 && o->pid <= 4194304);
	if (o->comm)
		FUZZ_CHECK(valid_comm(o->comm, 16));
	if (o->filter_pid || o->filter_uid || o->comm)
		FUZZ_CHECK(o->events || o->opens);
	FUZZ_CHECK(fuzz_terminated(o->metrics_host, sizeof(o->metrics_host)));
	if (o->metrics_port)
		FUZZ_CHECK(o->metrics_host[0]);
	if (o->dry_run)
		FUZZ_CHECK(o->kill || o->n_limits);

	FUZZ_CHECK(o->n_allow_comm <= FW_MAX_ALLOW && o->n_allow_uid <= FW_MAX_ALLOW);
	FUZZ_CHECK(o->n_allow_cgroup <= FW_MAX_CGROUPS && o->n_limits <= FW_MAX_LIMITS);
	if (o->n_allow_comm || o->n_allow_uid || o->n_allow_cgroup)
		FUZZ_CHECK(fw_containment(o));
	for (i = 0; i < o->n_allow_comm; i++)
		FUZZ_CHECK(valid_comm(o->allow_comm[i], sizeof(o->allow_comm[i])));
	for (i = 0; i < o->n_allow_cgroup; i++)
		FUZZ_CHECK(o->allow_cgroup[i][0] == '/');
	for (i = 0; i < o->n_limits; i++) {
		FUZZ_CHECK(valid_comm(o->limits[i].comm, sizeof(o->limits[i].comm)));
		FUZZ_CHECK(o->limits[i].children <= 10000000);
		for (j = 0; j < i; j++) /* one limit per command name */
			FUZZ_CHECK(strcmp(o->limits[i].comm, o->limits[j].comm) != 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char prog[] = "bcc-forkwatch";
	static struct fw_options o; /* 13 KB: not on the stack */
	char *argv[MAX_ARGS + 2], *args[MAX_ARGS], err[512];
	size_t len[MAX_ARGS], n, i;
	enum fw_parse_result r;

	n = fuzz_split(data, size, args, len, MAX_ARGS);
	argv[0] = prog;
	for (i = 0; i < n; i++)
		argv[i + 1] = args[i]; /* getopt_long permutes argv, not args */
	argv[n + 1] = NULL;
	err[0] = '\0';
	r = fw_options_parse((int)n + 1, argv, &o, devnull, err, sizeof(err));
	switch (r) {
	case FW_PARSE_RUN:
		check_accepted(&o);
		break;
	case FW_PARSE_ERROR:
		FUZZ_CHECK(err[0] != '\0' && fuzz_terminated(err, sizeof(err)));
		break;
	case FW_PARSE_EXIT_OK:
		break;
	default:
		FUZZ_CHECK(!"a parse result outside enum fw_parse_result");
	}
	fuzz_free(args, n);
	return 0;
}
