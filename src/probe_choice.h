/* SPDX-License-Identifier: GPL-2.0 */
/* Which kernel symbols get kprobes: chosen from kallsyms for the running
 * arch, or named by the user. Pure: no I/O. */
#ifndef FW_PROBE_CHOICE_H
#define FW_PROBE_CHOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "kallsyms.h"

#define FW_MAX_PROBES 16
#define FW_SYMBOL_MAX 128

struct fw_probe {
	char symbol[FW_SYMBOL_MAX];
	int syscall;     /* enum fw_syscall */
	const char *why; /* static text */
};

struct fw_probe_plan {
	char arch[16]; /* "x86_64", "arm64", ... or "symbols" */
	struct fw_probe probes[FW_MAX_PROBES];
	size_t count;
	const char *missing[4]; /* syscalls with no entry point in kallsyms */
	size_t nmissing;
};

/* "x86_64"/"amd64" -> "x86_64", "arm64"/"aarch64" -> "arm64", else NULL. */
const char *fw_normalize_arch(const char *name);

/* Plans probes for arch (a uname -m value or a name accepted by
 * fw_normalize_arch); an unknown arch tries every known naming. */
int fw_plan_for_arch(const struct fw_ksyms *ks, const char *arch, struct fw_probe_plan *plan,
		     char *err, size_t errlen);

/* --arch-probe: an arch name, or a comma-separated list of symbols that must
 * all be in ks. When spec is NULL, plans for machine_arch. */
int fw_plan_from_spec(const struct fw_ksyms *ks, const char *spec, const char *machine_arch,
		      struct fw_probe_plan *plan, char *err, size_t errlen);

/* The symbols an --arch-probe list names (for loading kallsyms with them);
 * fills at most max, returns how many, or -1 if spec is not a list.
 * Points into buf, which receives a copy of spec. */
int fw_spec_symbols(const char *spec, char *buf, size_t buflen, const char **out, size_t max);

/* enum fw_syscall guessed from a symbol's suffix (FW_SYS_OTHER if none). */
int fw_syscall_of_symbol(const char *symbol);
const char *fw_syscall_name(int syscall);

/* Comma-separated process-creation symbols present, for error messages. */
void fw_ksyms_candidates(const struct fw_ksyms *ks, char *buf, size_t len);

/* The kernel function every open syscall meets, for --opens on the kprobe
 * path: do_sys_openat2 (5.6+), else do_sys_open. Only exact names: a
 * compiler-renamed copy (.isra, .constprop) may take other arguments. */
struct fw_open_probe {
	const char *symbol;
	const char *entry_fn; /* the probe function that reads its arguments */
};
int fw_open_probe_choose(const struct fw_ksyms *ks, struct fw_open_probe *out);
/* The symbols fw_open_probe_choose looks for (to keep when loading kallsyms). */
extern const char *const fw_open_probe_symbols[2];

#endif
