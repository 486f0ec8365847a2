// SPDX-License-Identifier: GPL-2.0
/* tracefs format files: does a tracepoint's format declare a field
 * (fw_format_has_field) or exactly a declaration (fw_format_has_decl)? The
 * input is a format text, then optionally a NUL and a field name, a NUL and
 * a declaration; the questions the tool asks are asked too. A yes must be
 * backed by a "field:" line of the text that says so. */
#include <ctype.h>
#include <stdbool.h>

#include "fuzz.h"
#include "tracefs.h"

static bool identifier(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Is there a line whose "field:...;" declaration ends in name, or in
 * name[N]? */
static bool declares_field(const char *format, const char *name)
{
	size_t ln = strlen(name);
	const char *p;

	for (p = strstr(format, name); p; p = strstr(p + 1, name)) {
		const char *line = p, *after = p + ln;

		while (line > format && line[-1] != '\n')
			line--;
		if ((*after == ';' || *after == '[') && strstr(line, "field:") &&
		    strstr(line, "field:") < p && (p == format || !isalnum((unsigned char)p[-1])))
			return true;
	}
	return false;
}

static void check_field(const char *format, const char *field)
{
	if (fw_format_has_field(format, field) && identifier(field))
		FUZZ_CHECK(declares_field(format, field));
}

static void check_decl(const char *format, const char *decl)
{
	char needle[512];

	if (!fw_format_has_decl(format, decl) || strchr(decl, '\n'))
		return;
	if (snprintf(needle, sizeof(needle), "field:%s;", decl) < (int)sizeof(needle))
		FUZZ_CHECK(strstr(format, needle) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[3];
	size_t len[3], n;

	n = fuzz_split(data, size, part, len, 3);
	/* What main.c asks of sched_process_exit and task_newtask. */
	check_field(part[0], "group_dead");
	check_decl(part[0], "char comm[16]");
	if (n > 1)
		check_field(part[0], part[1]);
	if (n > 2)
		check_decl(part[0], part[2]);
	fuzz_free(part, n);
	return 0;
}
