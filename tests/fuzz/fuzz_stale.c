// SPDX-License-Identifier: GPL-2.0
/* What a dead instance left: a kprobe_events line in libbcc's legacy
 * naming (fw_stale_kprobe_line) and a pid-suffixed temporary name
 * (fw_stale_tmp_pid). The input is a line, then optionally a NUL, a file
 * name, a NUL and a base. A yes must name an event that the line holds
 * whole, in the kprobes group, ending in _bcc_<that pid>. */
#include <stdbool.h>

#include "fuzz.h"
#include "stale.h"

static void check_line(const char *line)
{
	char ev[256], tail[32];
	int pid = -1;
	const char *at;

	if (fw_stale_kprobe_line(line, ev, sizeof(ev), &pid) < 0)
		return;
	FUZZ_CHECK(pid > 0);
	FUZZ_CHECK(strncmp(ev, "kprobes/", 8) == 0);
	at = strstr(line, ev);
	FUZZ_CHECK(at && at[-1] == ':');
	snprintf(tail, sizeof(tail), "_bcc_%d", pid);
	FUZZ_CHECK(strlen(ev) > strlen(tail) + 8);
	FUZZ_CHECK(strcmp(ev + strlen(ev) - strlen(tail), tail) == 0);
}

static void check_tmp(const char *name, const char *base, bool prefix)
{
	int pid = fw_stale_tmp_pid(name, base, prefix);
	char tail[32];

	if (pid < 0)
		return;
	snprintf(tail, sizeof(tail), ".tmp.%d", pid);
	FUZZ_CHECK(strncmp(name, base, strlen(base)) == 0);
	FUZZ_CHECK(strlen(name) >= strlen(base) + strlen(tail));
	FUZZ_CHECK(strcmp(name + strlen(name) - strlen(tail), tail) == 0);
	if (!prefix)
		FUZZ_CHECK(strlen(name) == strlen(base) + strlen(tail));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[3];
	size_t len[3], n;

	n = fuzz_split(data, size, part, len, 3);
	check_line(part[0]);
	check_tmp(part[0], "ksrc-", true);
	check_tmp(part[0], "metrics.prom", false);
	if (n > 2) {
		check_tmp(part[1], part[2], true);
		check_tmp(part[1], part[2], false);
	}
	fuzz_free(part, n);
	return 0;
}
