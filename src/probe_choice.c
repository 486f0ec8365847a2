// SPDX-License-Identifier: GPL-2.0
#include "probe_choice.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "forkwatch_logic.h"
#include "util.h"

static const char *const syscalls[] = { "clone", "clone3", "fork", "vfork" };
static const int syscall_ids[] = { FW_SYS_CLONE, FW_SYS_CLONE3, FW_SYS_FORK, FW_SYS_VFORK };
#define NSYSCALLS 4

struct family {
	const char *arch;
	const char *native;   /* wrapper prefix of native syscalls */
	const char *native_why;
	const char *compat;   /* prefix of 32-bit compat entries, or NULL */
};

static const struct family families[] = {
	{ "x86_64", "__x64_sys_", "x86_64 syscall entry (kernel >= 4.17 wrapper)", "__ia32_sys_" },
	{ "arm64", "__arm64_sys_", "arm64 syscall entry (kernel >= 4.19 wrapper)", NULL },
	{ "s390x", "__s390x_sys_", "s390x syscall entry", "__s390_sys_" },
	{ "riscv64", "__riscv_sys_", "riscv syscall entry", NULL },
};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

static const char why_compat[] = "32-bit compat tasks (ia32/s390 compat entry)";
static const char why_arm64_compat[] = "32-bit compat tasks only: arm64 has no native fork/vfork";
static const char why_legacy[] = "syscall entry without wrapper (kernel < 4.17)";
static const char why_legacy_alias[] = "syscall entry, SyS_ alias (kernel < 4.17)";
static const char why_explicit[] = "named by --arch-probe";

const char *fw_normalize_arch(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "x86_64") || !strcmp(name, "amd64") || !strcmp(name, "x64"))
		return "x86_64";
	if (!strcmp(name, "arm64") || !strcmp(name, "aarch64"))
		return "arm64";
	if (!strcmp(name, "s390x"))
		return "s390x";
	if (!strcmp(name, "riscv64"))
		return "riscv64";
	return NULL;
}

int fw_syscall_of_symbol(const char *symbol)
{
	size_t ls = strlen(symbol);
	int i;

	/* Longest suffix first: "clone3" before "clone", "vfork" before "fork". */
	static const int order[] = { 1, 3, 0, 2 };
	for (i = 0; i < NSYSCALLS; i++) {
		const char *name = syscalls[order[i]];
		size_t ln = strlen(name);

		/* "...sys_clone" or "SyS_clone", not "kernel_clone", which serves
		 * every creation syscall. */
		if (ls >= ln + 4 && strcmp(symbol + ls - ln, name) == 0 &&
		    (strncmp(symbol + ls - ln - 4, "sys_", 4) == 0 ||
		     strncmp(symbol + ls - ln - 4, "SyS_", 4) == 0))
			return syscall_ids[order[i]];
	}
	return FW_SYS_OTHER;
}

const char *fw_syscall_name(int syscall)
{
	switch (syscall) {
	case FW_SYS_CLONE:
		return "clone";
	case FW_SYS_CLONE3:
		return "clone3";
	case FW_SYS_FORK:
		return "fork";
	case FW_SYS_VFORK:
		return "vfork";
	case FW_SYS_OTHER:
		return "other";
	default:
		return "none";
	}
}

static int add_probe(struct fw_probe_plan *plan, const char *symbol, int syscall, const char *why,
		     char *err, size_t errlen)
{
	struct fw_probe *p;

	if (plan->count == FW_MAX_PROBES) {
		fw_snprintf(err, errlen, "too many probes (at most %d)", FW_MAX_PROBES);
		return -1;
	}
	p = &plan->probes[plan->count];
	if (fw_snprintf(p->symbol, sizeof(p->symbol), "%s", symbol) < 0) {
		fw_snprintf(err, errlen, "symbol name too long: %.40s...", symbol);
		return -1;
	}
	p->syscall = syscall;
	p->why = why;
	plan->count++;
	return 0;
}

void fw_ksyms_candidates(const struct fw_ksyms *ks, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ks->count && used < len; i++) {
		if (!fw_ksym_is_creation(ks->names[i]))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", ks->names[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* Native entries of one family; returns how many were found. */
static int plan_family(const struct fw_ksyms *ks, const struct family *fam,
		       struct fw_probe_plan *plan, bool found[NSYSCALLS], char *err, size_t errlen)
{
	char sym[FW_SYMBOL_MAX];
	int i, n = 0;

	for (i = 0; i < NSYSCALLS; i++) {
		bool compat_only = !strcmp(fam->arch, "arm64") &&
				   (syscall_ids[i] == FW_SYS_FORK || syscall_ids[i] == FW_SYS_VFORK);

		snprintf(sym, sizeof(sym), "%s%s", fam->native, syscalls[i]);
		if (!fw_ksyms_has(ks, sym))
			continue;
		if (add_probe(plan, sym, syscall_ids[i], compat_only ? why_arm64_compat : fam->native_why,
			      err, errlen) < 0)
			return -1;
		found[i] = true;
		n++;
	}
	return n;
}

int fw_plan_for_arch(const struct fw_ksyms *ks, const char *arch, struct fw_probe_plan *plan,
		     char *err, size_t errlen)
{
	const char *norm = fw_normalize_arch(arch);
	bool found[NSYSCALLS] = { false };
	char sym[FW_SYMBOL_MAX];
	size_t f;
	int i, n = 0;

	memset(plan, 0, sizeof(*plan));
	snprintf(plan->arch, sizeof(plan->arch), "%s", norm ? norm : (arch ? arch : "unknown"));

	for (f = 0; f < NFAMILIES && n == 0; f++) {
		if (norm && strcmp(families[f].arch, norm) != 0)
			continue;
		n = plan_family(ks, &families[f], plan, found, err, errlen);
		if (n < 0)
			return -1;
		if (n > 0 && families[f].compat) {
			for (i = 0; i < NSYSCALLS; i++) {
				snprintf(sym, sizeof(sym), "%s%s", families[f].compat, syscalls[i]);
				if (fw_ksyms_has(ks, sym) &&
				    add_probe(plan, sym, syscall_ids[i], why_compat, err, errlen) < 0)
					return -1;
			}
		}
	}
	if (n == 0) {
		/* Before the syscall wrappers: sys_clone, or its SyS_clone alias. */
		for (i = 0; i < NSYSCALLS; i++) {
			snprintf(sym, sizeof(sym), "sys_%s", syscalls[i]);
			if (fw_ksyms_has(ks, sym)) {
				if (add_probe(plan, sym, syscall_ids[i], why_legacy, err, errlen) < 0)
					return -1;
				found[i] = true;
				continue;
			}
			snprintf(sym, sizeof(sym), "SyS_%s", syscalls[i]);
			if (fw_ksyms_has(ks, sym)) {
				if (add_probe(plan, sym, syscall_ids[i], why_legacy_alias, err, errlen) < 0)
					return -1;
				found[i] = true;
			}
		}
	}
	for (i = 0; i < NSYSCALLS; i++)
		if (!found[i])
			plan->missing[plan->nmissing++] = syscalls[i];
	if (plan->count == 0) {
		char cands[512];

		fw_ksyms_candidates(ks, cands, sizeof(cands));
		fw_snprintf(err, errlen,
			    "no clone/fork syscall entry points for %s in /proc/kallsyms "
			    "(found: %s)", plan->arch, cands);
		return -1;
	}
	return 0;
}

static bool valid_symbol(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return false;
	return true;
}

int fw_spec_symbols(const char *spec, char *buf, size_t buflen, const char **out, size_t max)
{
	char *save = NULL, *tok;
	size_t n = 0;

	if (fw_normalize_arch(spec))
		return -1;
	if (fw_snprintf(buf, buflen, "%s", spec) < 0)
		return -1;
	for (tok = strtok_r(buf, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save))
		out[n++] = tok;
	return (int)n;
}

int fw_plan_from_spec(const struct fw_ksyms *ks, const char *spec, const char *machine_arch,
		      struct fw_probe_plan *plan, char *err, size_t errlen)
{
	char copy[1024], cands[512];
	const char *p;
	size_t start, i, j;

	if (!spec)
		return fw_plan_for_arch(ks, machine_arch, plan, err, errlen);
	if (fw_normalize_arch(spec))
		return fw_plan_for_arch(ks, spec, plan, err, errlen);

	memset(plan, 0, sizeof(*plan));
	snprintf(plan->arch, sizeof(plan->arch), "symbols");
	if (fw_snprintf(copy, sizeof(copy), "%s", spec) < 0) {
		fw_snprintf(err, errlen, "--arch-probe list too long");
		return -1;
	}
	/* Split by hand so that empty items ("a,,b", "a,") are refused. */
	for (start = 0, p = copy;; p++) {
		if (*p != ',' && *p != '\0')
			continue;
		size_t end = (size_t)(p - copy);
		char sym[FW_SYMBOL_MAX];
		bool last = *p == '\0';

		if (end == start || end - start >= sizeof(sym)) {
			fw_snprintf(err, errlen, "invalid --arch-probe '%s': expected x86_64, arm64 "
				    "or a comma-separated list of kernel symbols", spec);
			return -1;
		}
		memcpy(sym, copy + start, end - start);
		sym[end - start] = '\0';
		if (!valid_symbol(sym)) {
			fw_snprintf(err, errlen, "invalid --arch-probe symbol '%s': only letters, "
				    "digits, '_' and '.' are allowed", sym);
			return -1;
		}
		if (!fw_ksyms_has(ks, sym)) {
			fw_ksyms_candidates(ks, cands, sizeof(cands));
			fw_snprintf(err, errlen, "unknown --arch-probe symbol '%s': not in "
				    "/proc/kallsyms (candidates: %s)", sym, cands);
			return -1;
		}
		for (i = 0; i < plan->count; i++)
			if (!strcmp(plan->probes[i].symbol, sym)) {
				fw_snprintf(err, errlen, "--arch-probe names '%s' twice", sym);
				return -1;
			}
		if (add_probe(plan, sym, fw_syscall_of_symbol(sym), why_explicit, err, errlen) < 0)
			return -1;
		if (last)
			break;
		start = end + 1;
	}
	for (i = 0; i < NSYSCALLS; i++) {
		bool have = false;

		for (j = 0; j < plan->count; j++)
			have = have || plan->probes[j].syscall == syscall_ids[i];
		if (!have)
			plan->missing[plan->nmissing++] = syscalls[i];
	}
	return 0;
}

const char *const fw_open_probe_symbols[2] = { "do_sys_openat2", "do_sys_open" };

int fw_open_probe_choose(const struct fw_ksyms *ks, struct fw_open_probe *out)
{
	if (fw_ksyms_has(ks, "do_sys_openat2")) {
		out->symbol = "do_sys_openat2";
		out->entry_fn = "fw_kp_openat2";
		return 0;
	}
	if (fw_ksyms_has(ks, "do_sys_open")) {
		out->symbol = "do_sys_open";
		out->entry_fn = "fw_kp_open_legacy";
		return 0;
	}
	return -1;
}
