// SPDX-License-Identifier: GPL-2.0
/* Each option's value, one at a time: the first byte picks the option,
 * the rest is its value. The value goes through fw_options_parse (the
 * per-option parsers there are static: --allow, --limit, --uid, the
 * thresholds) and, for the shared parsers, straight to fw_parse_uint,
 * fw_parse_duration and fw_parse_listen. What each accepts is compared with
 * the grammar --help gives, written out again here in exact arithmetic. */
#include <ctype.h>
#include <pwd.h>
#include <stdbool.h>

#include "fuzz.h"
#include "forkwatch_logic.h"
#include "options.h"
#include "util.h"

#define MAX_THRESHOLD 10000000ULL
#define NS 1000000000ULL

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

/* Decimal digits only, at most max: the grammar of every count. */
static bool ref_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned __int128 v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT64_MAX)
			return false;
	}
	if (v < min || v > max)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* DIGITS[.DIGITS][s|ms|m]: at most nine decimals (a nanosecond), more
 * than zero, at most max_ns. */
static bool ref_duration(const char *s, uint64_t max_ns, uint64_t *out)
{
	unsigned __int128 whole = 0, frac = 0, scale = 1, unit, ns;
	int decimals = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		whole = whole * 10 + (unsigned)(*s - '0');
		if (whole > UINT64_MAX)
			return false;
	}
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return false;
		for (; isdigit((unsigned char)*s); s++) {
			if (++decimals > 9)
				return false;
			frac = frac * 10 + (unsigned)(*s - '0');
			scale *= 10;
		}
	}
	if (!strcmp(s, "") || !strcmp(s, "s"))
		unit = NS;
	else if (!strcmp(s, "ms"))
		unit = NS / 1000;
	else if (!strcmp(s, "m"))
		unit = 60 * NS;
	else
		return false;
	ns = whole * unit + frac * unit / scale;
	if (ns == 0 || ns > max_ns)
		return false;
	*out = (uint64_t)ns;
	return true;
}

static void check_uint(const char *v)
{
	static const uint64_t bounds[][2] = { { 0, UINT64_MAX }, { 1, 65535 }, { 3, 15 } };
	uint64_t got, want;
	size_t i;

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		bool ok = fw_parse_uint(v, bounds[i][0], bounds[i][1], &got) == 0;

		FUZZ_CHECK(ok == ref_uint(v, bounds[i][0], bounds[i][1], &want));
		if (ok)
			FUZZ_CHECK(got == want);
	}
}

static void check_duration(const char *v)
{
	static const uint64_t maxima[] = { UINT64_MAX, 60 * NS, 86400 * NS, 366ULL * 86400 * NS };
	uint64_t got, want, again;
	char text[64];
	size_t i;

	for (i = 0; i < sizeof(maxima) / sizeof(maxima[0]); i++) {
		bool ok = fw_parse_duration(v, maxima[i], &got) == 0;

		FUZZ_CHECK(ok == ref_duration(v, maxima[i], &want));
		if (!ok)
			continue;
		FUZZ_CHECK(got == want);
		/* The start line and the alerts print durations back: exact for
		 * whole milliseconds (in the range a double holds exactly). */
		fw_format_duration(got, text, sizeof(text));
		if (got % 1000000 == 0 && got < (1ULL << 52))
			FUZZ_CHECK(fw_parse_duration(text, UINT64_MAX, &again) == 0 && again == got);
	}
}

/* [HOST:]PORT: what comes back, written out again, parses the same. */
static void check_listen(const char *v)
{
	char host[256], host2[256], again[300];
	uint16_t port, port2;
	bool brackets;

	if (fw_parse_listen(v, host, sizeof(host), &port) < 0)
		return;
	FUZZ_CHECK(port >= 1 && host[0] && fuzz_terminated(host, sizeof(host)));
	FUZZ_CHECK(v[0] == '[' || !strchr(host, ':')); /* a bare IPv6 address needs brackets */
	brackets = strchr(host, ':') || host[0] == '[';
	snprintf(again, sizeof(again), "%s%s%s:%u", brackets ? "[" : "", host, brackets ? "]" : "",
		 port);
	FUZZ_CHECK(fw_parse_listen(again, host2, sizeof(host2), &port2) == 0);
	FUZZ_CHECK(!strcmp(host, host2) && port == port2);
	/* A host that does not fit is refused, never cut. */
	if (fw_parse_listen(v, host2, 8, &port2) == 0)
		FUZZ_CHECK(!strcmp(host, host2) && strlen(host2) < 8);
}

enum kind { COUNT, DURATION, PATH, WORD, COMM, USER, PAGES, LISTEN, ALLOW, LIMIT };

static const struct value_option {
	const char *flag;
	const char *with; /* what makes the value usable at all, or NULL */
	enum kind kind;
	uint64_t min, max;
} options[] = {
	{ "--threshold", NULL, COUNT, 1, MAX_THRESHOLD },
	{ "--rank", NULL, COUNT, FW_MIN_RANK, FW_MAX_RANK },
	{ "--chain", NULL, COUNT, FW_MIN_CHAIN, MAX_THRESHOLD },
	{ "--spawn-max", NULL, COUNT, FW_MIN_SPAWN_MAX, MAX_THRESHOLD },
	{ "--thread-threshold", "--threads", COUNT, 1, MAX_THRESHOLD },
	{ "--pid", "--events", COUNT, 1, 4194304 },
	{ "--established", NULL, DURATION, NS, 86400 * NS },
	{ "--window", NULL, DURATION, NS / 100, 60 * NS },
	{ "--duration", NULL, DURATION, 1, 366ULL * 86400 * NS },
	{ "--log", NULL, PATH, 0, 0 },
	{ "--kernel-headers", NULL, PATH, 0, 0 },
	{ "--metrics-textfile", NULL, PATH, 0, 0 },
	{ "--pid-file", NULL, PATH, 0, 0 },
	{ "--arch-probe", NULL, PATH, 0, 0 },
	{ "--probe-mode", NULL, WORD, 0, 0 },
	{ "--comm", "--opens", COMM, 0, 0 },
	{ "--uid", "--events", USER, 0, 0 },
	{ "--buffer-pages", "--events", PAGES, 1, FW_MAX_BUFFER_PAGES },
	{ "--records", NULL, PAGES, 1u << FW_PROC_SLOT_BITS_MIN, 1u << FW_PROC_SLOT_BITS_MAX },
	{ "--metrics-addr", NULL, LISTEN, 0, 0 },
	{ "--allow", "--kill", ALLOW, 0, 0 },
	{ "--limit", NULL, LIMIT, 0, 0 },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

/* The field the option sets, for COUNT options. */
static uint64_t count_field(const struct fw_options *o, const char *flag)
{
	if (!strcmp(flag, "--threshold"))
		return o->proc_threshold;
	if (!strcmp(flag, "--rank"))
		return o->rank;
	if (!strcmp(flag, "--chain"))
		return o->chain;
	if (!strcmp(flag, "--spawn-max"))
		return o->spawn_max;
	if (!strcmp(flag, "--thread-threshold"))
		return o->thread_threshold;
	return o->pid;
}

static uint64_t duration_field(const struct fw_options *o, const char *flag)
{
	if (!strcmp(flag, "--established"))
		return o->established_ns;
	if (!strcmp(flag, "--window"))
		return o->window_ns;
	return o->duration_ns;
}

static const char *path_field(const struct fw_options *o, const char *flag)
{
	if (!strcmp(flag, "--log"))
		return o->log_path;
	if (!strcmp(flag, "--kernel-headers"))
		return o->kernel_headers;
	if (!strcmp(flag, "--metrics-textfile"))
		return o->metrics_textfile;
	if (!strcmp(flag, "--pid-file"))
		return o->pid_file;
	return o->arch_probe;
}

/* What --help says the option takes, against what the parse did. */
static void check_option(const struct value_option *opt, const char *v, bool accepted,
			 const struct fw_options *o)
{
	uint64_t want;
	struct passwd *pw;
	const char *eq;

	switch (opt->kind) {
	case COUNT:
		FUZZ_CHECK(accepted == ref_uint(v, opt->min, opt->max, &want));
		if (accepted)
			FUZZ_CHECK(count_field(o, opt->flag) == want);
		break;
	case DURATION:
		FUZZ_CHECK(accepted == (ref_duration(v, opt->max, &want) && want >= opt->min));
		if (accepted)
			FUZZ_CHECK(duration_field(o, opt->flag) == want);
		break;
	case PATH:
		FUZZ_CHECK(accepted == (v[0] != '\0'));
		if (accepted)
			FUZZ_CHECK(path_field(o, opt->flag) == v);
		break;
	case WORD:
		FUZZ_CHECK(accepted == (!strcmp(v, "auto") || !strcmp(v, "kprobe") ||
					!strcmp(v, "tracepoint")));
		if (accepted)
			FUZZ_CHECK(!strcmp(fw_mode_name(o->mode), v));
		break;
	case COMM:
		FUZZ_CHECK(accepted == (strlen(v) >= 1 && strlen(v) <= 15));
		if (accepted)
			FUZZ_CHECK(o->comm == v);
		break;
	case USER:
		if (ref_uint(v, 0, 4294967294ULL, &want)) {
			FUZZ_CHECK(accepted && o->uid == want);
		} else {
			pw = getpwnam(v);
			FUZZ_CHECK(accepted == (pw != NULL));
			if (accepted)
				FUZZ_CHECK(o->uid == pw->pw_uid);
		}
		break;
	case PAGES:
		FUZZ_CHECK(accepted == (ref_uint(v, opt->min, opt->max, &want) &&
					(want & (want - 1)) == 0));
		if (accepted)
			FUZZ_CHECK((!strcmp(opt->flag, "--records") ? 1ULL << o->record_bits
								    : o->buffer_pages) == want);
		break;
	case LISTEN:
		if (accepted)
			FUZZ_CHECK(o->metrics_port >= 1 && o->metrics_host[0]);
		break;
	case ALLOW:
		if (!accepted)
			break;
		FUZZ_CHECK(o->n_allow_comm + o->n_allow_uid + o->n_allow_cgroup == 1);
		if (o->n_allow_comm)
			FUZZ_CHECK(!strncmp(v, "comm:", 5) && !strcmp(o->allow_comm[0], v + 5));
		if (o->n_allow_cgroup)
			FUZZ_CHECK(!strncmp(v, "cgroup:/", 8) && o->allow_cgroup[0] == v + 7);
		if (o->n_allow_uid)
			FUZZ_CHECK(!strncmp(v, "uid:", 4) || !strncmp(v, "user:", 5));
		break;
	case LIMIT:
		eq = strrchr(v, '=');
		FUZZ_CHECK(accepted == (eq && eq > v && eq - v <= 15 &&
					ref_uint(eq + 1, 0, MAX_THRESHOLD, &want)));
		if (accepted)
			FUZZ_CHECK(o->n_limits == 1 && !strncmp(o->limits[0].comm, v, (size_t)(eq - v)) &&
				   o->limits[0].comm[eq - v] == '\0' && o->limits[0].children == want);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char prog[] = "bcc-forkwatch";
	static struct fw_options o;
	const struct value_option *opt;
	char *argv[5], err[512], *value, *with = NULL, *flag;
	int argc = 0;

	if (size < 1)
		return 0;
	opt = &options[data[0] % NOPTIONS];
	value = fuzz_strndup(data + 1, size - 1); /* a NUL inside ends the value, as in argv */
	flag = strdup(opt->flag);
	if (opt->with)
		with = strdup(opt->with);
	argv[argc++] = prog;
	if (with)
		argv[argc++] = with;
	argv[argc++] = flag;
	argv[argc++] = value;
	argv[argc] = NULL;
	err[0] = '\0';
	enum fw_parse_result r = fw_options_parse(argc, argv, &o, devnull, err, sizeof(err));

	FUZZ_CHECK(r == FW_PARSE_RUN || r == FW_PARSE_ERROR);
	if (r == FW_PARSE_ERROR)
		FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)));
	check_option(opt, value, r == FW_PARSE_RUN, &o);

	check_uint(value);
	check_duration(value);
	check_listen(value);
	free(value);
	free(flag);
	free(with);
	return 0;
}
