// SPDX-License-Identifier: GPL-2.0
/* Who an alert is about (context.h): /proc/PID/cgroup, status, stat and
 * cmdline text, /etc/passwd lines and cgroup paths, as the kernel or a
 * hostile process could make them. Every parser gets the input; what each
 * returns must come from it, fit its buffer, and carry no byte an output
 * line could be broken by. */
#include <stdbool.h>

#include "context.h"
#include "fuzz.h"
#include "output.h"

/* Printable ASCII only: what the outputs may carry as they are. */
static void check_printable(const char *s, size_t len)
{
	size_t i;

	FUZZ_CHECK(fuzz_terminated(s, len));
	for (i = 0; s[i]; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f);
}

static bool hex_id(const char *id)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return id[64] == '\0';
}

static void check_paths(const char *text)
{
	char path[512], unit[128], slice[128], id[FW_CTX_CONTAINER_LEN], tiny[6];
	const char *h = fw_context_cgroup_choose(text, path, sizeof(path)), *rt;

	if (h) {
		FUZZ_CHECK(!strcmp(h, "v2") || !strcmp(h, "systemd") || !strcmp(h, "pids"));
		FUZZ_CHECK(fuzz_terminated(path, sizeof(path)) && path[0] == '/');
		FUZZ_CHECK(strstr(text, path) != NULL && !strchr(path, '\n'));
	}
	if (fw_context_cgroup_choose(text, tiny, sizeof(tiny)))
		FUZZ_CHECK(strlen(tiny) < sizeof(tiny));

	/* The text as a path itself. */
	fw_context_systemd(text, unit, sizeof(unit), slice, sizeof(slice));
	FUZZ_CHECK(fuzz_terminated(unit, sizeof(unit)) && fuzz_terminated(slice, sizeof(slice)));
	if (unit[0])
		FUZZ_CHECK(strstr(text, unit) && !strchr(unit, '/'));
	if (slice[0] && strcmp(slice, "-.slice"))
		FUZZ_CHECK(strstr(text, slice) && !strchr(slice, '/'));
	rt = fw_context_container(text, id, sizeof(id));
	if (rt) {
		FUZZ_CHECK(hex_id(id) && strstr(text, id));
	} else {
		FUZZ_CHECK(id[0] == '\0');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	char out[FW_CTX_CMDLINE_LEN], small[16], name[FW_CTX_USER_LEN], kv[4096], line[8192];
	static struct fw_context c;
	uint32_t inner = 0, levels = 0;
	uint64_t ticks;
	bool cut;

	check_paths(text);
	if (fw_context_nspid(text, &inner, &levels) == 0)
		FUZZ_CHECK(levels > 0 || inner == 0);
	(void)fw_context_stat_starttime(text, &ticks);
	if (fw_context_passwd_name(text, 0, name, sizeof(name)) == 0) {
		check_printable(name, sizeof(name));
		FUZZ_CHECK(name[0] && !strncmp(text, name, strlen(name)) && text[strlen(name)] == ':');
	}

	/* The raw bytes as a command line, NULs and all. */
	cut = fw_context_escape_cmdline((const char *)data, size, out, sizeof(out));
	check_printable(out, sizeof(out));
	FUZZ_CHECK(!cut || (strlen(out) >= 3 && !strcmp(out + strlen(out) - 3, "...")));
	cut = fw_context_escape_cmdline((const char *)data, size, small, sizeof(small));
	check_printable(small, sizeof(small));
	FUZZ_CHECK(strlen(small) < sizeof(small));
	fw_context_escape_path(text, small, sizeof(small));
	check_printable(small, sizeof(small));

	/* A context made of it, through every output that carries one. */
	memset(&c, 0, sizeof(c));
	fw_context_from_cgroup(text, &c);
	check_printable(c.cgroup, sizeof(c.cgroup));
	check_printable(c.unit, sizeof(c.unit));
	check_printable(c.slice, sizeof(c.slice));
	c.source = FW_CTX_ROOT;
	c.pid = 1;
	fw_context_escape_cmdline((const char *)data, size, c.cmdline, sizeof(c.cmdline));
	fw_format_context_kv(&c, kv, sizeof(kv));
	check_printable(kv, sizeof(kv));
	{
		struct fw_alert a = { 0 };
		struct fw_report r = { .alert = &a, .hostname = "h", .root_comm = "x", .ctx = &c };
		json_t *j;

		a.kind = 1;
		fw_format_csv(&r, line, sizeof(line));
		FUZZ_CHECK(!strchr(line, '\n'));
		fw_format_syslog(&r, line, sizeof(line));
		check_printable(line, sizeof(line));
		j = fw_report_json(&r);
		FUZZ_CHECK(j && json_object_get(j, "context"));
		json_decref(j);
	}
	{
		char label[FW_CTX_UNIT_LEN];

		fw_context_unit_label(&c, label, sizeof(label));
		check_printable(label, sizeof(label));
	}
	free(text);
	return 0;
}
