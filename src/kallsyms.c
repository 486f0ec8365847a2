// SPDX-License-Identifier: GPL-2.0
#include "kallsyms.h"

#include <stdlib.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

bool fw_ksym_is_creation(const char *name)
{
	static const char *const calls[] = { "sys_clone", "sys_clone3", "sys_fork", "sys_vfork" };
	static const char *const cores[] = { "kernel_clone", "_do_fork", "do_fork" };
	size_t i;

	for (i = 0; i < sizeof(cores) / sizeof(cores[0]); i++)
		if (strcmp(name, cores[i]) == 0)
			return true;
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		size_t lc = strlen(calls[i]), ln = strlen(name);

		/* "sys_clone" itself, or "<prefix>_sys_clone"; never __do_sys_ or
		 * __se_sys_, which are inlined helpers behind the real entry. */
		if (!ends_with(name, calls[i]))
			continue;
		if (ln == lc)
			return true;
		if (name[ln - lc - 1] != '_')
			continue;
		if (strncmp(name, "__do_", 5) == 0 || strncmp(name, "__se_", 5) == 0)
			continue;
		return true;
	}
	/* SyS_clone: the pre-4.17 wrapper name. */
	if (strncmp(name, "SyS_", 4) == 0) {
		const char *call = name + 4;

		return strcmp(call, "clone") == 0 || strcmp(call, "clone3") == 0 ||
		       strcmp(call, "fork") == 0 || strcmp(call, "vfork") == 0;
	}
	return false;
}

static int add(struct fw_ksyms *ks, const char *name)
{
	char *copy;

	if (fw_ksyms_has(ks, name))
		return 0;
	if (ks->count == ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 16;
		char **n = realloc(ks->names, cap * sizeof(*n));

		if (!n)
			return -1;
		ks->names = n;
		ks->cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -1;
	ks->names[ks->count++] = copy;
	return 0;
}

int fw_ksyms_load(FILE *f, const char *const *wanted, size_t nwanted, struct fw_ksyms *ks)
{
	char line[512], type, name[256];
	size_t i;

	memset(ks, 0, sizeof(*ks));
	while (fgets(line, sizeof(line), f)) {
		/* "ffffffff81356d90 T __x64_sys_clone" (addresses may be zeros) */
		if (sscanf(line, "%*s %c %255s", &type, name) != 2)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		bool keep = fw_ksym_is_creation(name);

		for (i = 0; !keep && i < nwanted; i++)
			keep = strcmp(name, wanted[i]) == 0;
		if (keep && add(ks, name) < 0) {
			fw_ksyms_free(ks);
			return -1;
		}
	}
	if (ferror(f)) {
		fw_ksyms_free(ks);
		return -1;
	}
	return 0;
}

bool fw_ksyms_has(const struct fw_ksyms *ks, const char *name)
{
	size_t i;

	for (i = 0; i < ks->count; i++)
		if (strcmp(ks->names[i], name) == 0)
			return true;
	return false;
}

void fw_ksyms_free(struct fw_ksyms *ks)
{
	size_t i;

	for (i = 0; i < ks->count; i++)
		free(ks->names[i]);
	free(ks->names);
	memset(ks, 0, sizeof(*ks));
}
