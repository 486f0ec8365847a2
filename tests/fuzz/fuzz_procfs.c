// SPDX-License-Identifier: GPL-2.0
/* The /proc and sysfs text the tool reads while it runs: /proc/PID/stat,
 * status, cgroup and limits, /proc/mounts and mountinfo, /proc/loadavg, a
 * cgroup limit file (pids.max) and the CPU lists of /sys/devices/system/cpu.
 * Every parser gets the same input (each finds its own lines in it, as in
 * a mixed corpus), and what each returns must come from that input. */
#include <stdbool.h>

#include "fuzz.h"
#include "spawn_limits.h"
#include "util.h"

/* What a parser returns is a piece of the text, not something made up. */
static void check_from(const char *piece, const char *text)
{
	FUZZ_CHECK(strstr(text, piece) != NULL);
}

static void check_cgroup_files(const char *text, size_t size)
{
	char out[4096], small[8], *copy, *cg;
	int kind;

	kind = fw_cgroup_pids_path(text, out, sizeof(out));
	FUZZ_CHECK(kind >= 0 && kind <= 2);
	if (kind) {
		FUZZ_CHECK(fuzz_terminated(out, sizeof(out)));
		check_from(out, text);
	}
	/* A path longer than the buffer is refused, never cut short. */
	if (fw_cgroup_pids_path(text, small, sizeof(small)))
		FUZZ_CHECK(strlen(small) < sizeof(small) && strstr(text, small));

	/* The sweep's --allow cgroup: check (it cuts the text in place). */
	copy = fuzz_strndup((const uint8_t *)text, size);
	cg = fw_cgroup_v2_path(copy);
	if (cg) {
		size_t at = (size_t)(cg - copy);

		/* Right after a "0::" that starts a line, up to its end. */
		FUZZ_CHECK(cg >= copy + 3 && at <= strlen(text));
		FUZZ_CHECK(!strncmp(text + at - 3, "0::", 3) && (at == 3 || text[at - 4] == '\n'));
		FUZZ_CHECK(!strchr(cg, '\n') && !strncmp(cg, text + at, strlen(cg)));
		FUZZ_CHECK(text[at + strlen(cg)] == '\n' || text[at + strlen(cg)] == '\0');
		FUZZ_CHECK(fw_cgroup_within(cg, "/"));
		FUZZ_CHECK(fw_cgroup_within(cg, cg));
	}
	free(copy);

	/* The text as an --allow cgroup: path: its level counts its names. */
	if (size < 4096) {
		copy = fuzz_strndup((const uint8_t *)text, size);
		uint32_t level = fw_cgroup_rel_level(copy);

		FUZZ_CHECK(level <= strlen(copy));
		FUZZ_CHECK(strlen(copy) <= 1 || copy[strlen(copy) - 1] != '/');
		free(copy);
	}
}

static void check_mounts(const char *text, size_t size)
{
	char out[512], tiny[4];
	FILE *f;

	if (fw_cgroup_mount(text, true, out, sizeof(out)) == 0)
		check_from(out, text);
	if (fw_cgroup_mount(text, false, out, sizeof(out)) == 0)
		check_from(out, text);
	if (fw_cgroup_mount(text, false, tiny, sizeof(tiny)) == 0)
		FUZZ_CHECK(strlen(tiny) < sizeof(tiny));
	if (size == 0)
		return;
	f = fmemopen((void *)text, size, "r");
	FUZZ_CHECK(f != NULL);
	if (fw_mounts_cgroup2(f, out, sizeof(out)) == 0)
		check_from(out, text);
	fclose(f);
}

static void check_cpulists(const char *text)
{
	int cpus[1024], few[4], n, i;

	n = fw_parse_cpulist(text, cpus, 1024);
	FUZZ_CHECK(n >= -1 && n <= 1024);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(cpus[i] >= 0);
	n = fw_parse_cpulist(text, few, 4);
	FUZZ_CHECK(n >= -1 && n <= 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	size_t n = strlen(text); /* the files are text: a NUL ends them */
	unsigned long flags;
	uint64_t v;
	uint32_t u;

	(void)fw_stat_ppid(text, &u);
	(void)fw_stat_flags(text, &flags);
	(void)fw_status_uid(text, &u);
	if (fw_limits_nproc(text, &v) == 0 && v)
		FUZZ_CHECK(strstr(text, "Max processes") != NULL);
	if (fw_parse_limit(text, &v) == 0 && v == 0)
		FUZZ_CHECK(!strncmp(text, "max", 3) || text[0] == '0');
	(void)fw_loadavg_tasks(text);
	(void)fw_kernel_at_least(text, 5, 3);
	check_cgroup_files(text, n);
	check_mounts(text, n);
	check_cpulists(text);
	free(text);
	return 0;
}
