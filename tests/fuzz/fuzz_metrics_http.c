// SPDX-License-Identifier: GPL-2.0
/* The metrics endpoint's answer to a request (fw_metrics_answer: what
 * metrics_http.c does in libmicrohttpd's request callback), for any method
 * and URL, and the exposition text for any counters and label values. The
 * input is method, URL, the probes label and the version label, each ended
 * by a NUL, then the counters' bytes. Only GET and HEAD of /metrics get the
 * metrics; what they get must be well-formed Prometheus text. */
#include <ctype.h>
#include <stdbool.h>

#include "fuzz.h"
#include "metrics.h"

#define MAX_BODY (256 * 1024) /* metrics_http.c's */

struct snapshot {
	const char *probes, *version;
	const uint8_t *raw; /* the counters */
	size_t raw_len;
	uint8_t choices;    /* fill fails, mode, containment, what is counted */
};

static int fill(void *cookie, struct fw_metrics *m)
{
	static const char *const containment[] = { NULL, "kill", "dry-run", "limits" };
	const struct snapshot *s = cookie;
	uint32_t start;

	if (s->choices & 1)
		return -1; /* not attached yet */
	memcpy(m->stats, s->raw, s->raw_len < sizeof(m->stats) ? s->raw_len : sizeof(m->stats));
	m->tracked_processes = m->stats[0];
	m->lost_alerts_read = m->stats[1];
	m->lost_events_read = m->stats[2];
	m->sweep_kills = m->stats[3];
	memcpy(&start, m->stats + 4, sizeof(start));
	m->start_time = (double)start + 0.25; /* a Unix time */
	m->version = s->version;
	m->mode = s->choices & 2 ? "kprobe" : "tracepoint";
	m->probes = s->probes;
	m->containment = containment[(s->choices >> 2) & 3];
	m->opens_counted = (s->choices >> 4) & 1;
	m->calls_counted = (s->choices >> 5) & 1;
	return 0;
}

/* name{label="value",...}: a metric name, then quoted values with only
 * \\, \" and \n escapes. Returns where it ends, or NULL. */
static const char *sample_name_and_labels(const char *p)
{
	if (!isalpha((unsigned char)*p) && *p != '_')
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (*p != '{')
		return p;
	p++;
	while (*p != '}') {
		if (!isalpha((unsigned char)*p) && *p != '_')
			return NULL;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (p[0] != '=' || p[1] != '"')
			return NULL;
		for (p += 2; *p != '"'; p++) {
			if (!*p)
				return NULL;
			if (*p == '\\' && p[1] != '\\' && p[1] != '"' && p[1] != 'n')
				return NULL;
			if (*p == '\\')
				p++;
		}
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	return p + 1;
}

static void check_exposition(const char *body, size_t len)
{
	char *text = fuzz_strndup((const uint8_t *)body, len), *line, *save = NULL;

	FUZZ_CHECK(len > 0 && body[len - 1] == '\n');
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *end;
		char *num_end;

		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7))
			continue;
		end = sample_name_and_labels(line);
		FUZZ_CHECK(end && *end == ' ');
		(void)strtod(end + 1, &num_end);
		FUZZ_CHECK(num_end != end + 1 && *num_end == '\0');
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[MAX_BODY];
	char *part[5];
	size_t len[5], n, buf_len;
	struct fw_http_answer a;
	struct snapshot s;
	bool wanted;

	n = fuzz_split(data, size, part, len, 5);
	if (n < 5) {
		fuzz_free(part, n);
		return 0;
	}
	s.probes = part[2];
	s.version = part[3];
	s.raw = (const uint8_t *)part[4];
	s.raw_len = len[4];
	s.choices = len[4] ? (uint8_t)part[4][len[4] - 1] : 0;
	/* The real body size, or one too small for the text (then 500). */
	buf_len = s.choices & 0x40 ? 1 + (len[4] * 97) % 8192 : MAX_BODY;
	wanted = (!strcmp(part[0], "GET") || !strcmp(part[0], "HEAD")) && !strcmp(part[1], "/metrics");
	FUZZ_CHECK(fw_metrics_wanted(part[0], part[1]) == wanted);

	fw_metrics_answer(part[0], part[1], fill, &s, buf, buf_len, &a);
	FUZZ_CHECK(a.content_type && a.body);
	if (!wanted) {
		FUZZ_CHECK(a.status == 404 && a.len == strlen(a.body));
	} else if (a.status == 200) {
		FUZZ_CHECK(!(s.choices & 1));
		FUZZ_CHECK(a.body == buf && a.len < buf_len && a.len == strlen(buf));
		check_exposition(a.body, a.len);
	} else {
		FUZZ_CHECK(a.status == 500 && a.len == strlen(a.body));
		FUZZ_CHECK((s.choices & 1) || buf_len < MAX_BODY); /* the real buffer holds it all */
	}
	/* No buffer (malloc failed): 500, not a crash. */
	fw_metrics_answer(part[0], part[1], fill, &s, NULL, 0, &a);
	FUZZ_CHECK(a.status == (wanted ? 500u : 404u));
	fuzz_free(part, n);
	return 0;
}
