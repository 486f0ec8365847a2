/* SPDX-License-Identifier: GPL-2.0 */
/* Reading /proc/kallsyms: only the text symbols that matter to us are kept. */
#ifndef FW_KALLSYMS_H
#define FW_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct fw_ksyms {
	char **names;
	size_t count;
	size_t cap;
};

/* Keeps every text symbol (type t/T/w/W) that is a process-creation entry
 * point (fw_ksym_is_creation) or is named in wanted[] (may be NULL).
 * Returns 0, or -1 on a read or memory error. */
int fw_ksyms_load(FILE *f, const char *const *wanted, size_t nwanted, struct fw_ksyms *ks);
bool fw_ksyms_has(const struct fw_ksyms *ks, const char *name);
void fw_ksyms_free(struct fw_ksyms *ks);

/* True for names like __x64_sys_clone, __ia32_sys_vfork, sys_fork, SyS_clone,
 * __arm64_sys_clone3, kernel_clone, _do_fork, do_fork. */
bool fw_ksym_is_creation(const char *name);

#endif
