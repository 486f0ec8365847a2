// SPDX-License-Identifier: GPL-2.0
/* /proc/kallsyms and the probe choice made from it, as load_plan() in
 * main.c makes it: the symbols an --arch-probe list names are kept too,
 * then the plan for this machine's arch (and for the others), from the
 * list, and the open probe. The input is kallsyms text, then optionally a
 * NUL and an --arch-probe value. Whatever is planned must be in kallsyms. */
#include <stdbool.h>

#include "fuzz.h"
#include "kallsyms.h"
#include "probe_choice.h"

static void check_plan(const struct fw_ksyms *ks, const struct fw_probe_plan *plan, int r,
		       const char *err)
{
	size_t i;

	if (r < 0) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	FUZZ_CHECK(r == 0 && plan->count >= 1 && plan->count <= FW_MAX_PROBES);
	FUZZ_CHECK(plan->nmissing <= 4 && fuzz_terminated(plan->arch, sizeof(plan->arch)));
	for (i = 0; i < plan->count; i++) {
		const struct fw_probe *p = &plan->probes[i];

		FUZZ_CHECK(fuzz_terminated(p->symbol, sizeof(p->symbol)));
		FUZZ_CHECK(fw_ksyms_has(ks, p->symbol));
		FUZZ_CHECK(p->why != NULL);
		FUZZ_CHECK(fw_syscall_name(p->syscall) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *wanted[FW_MAX_PROBES + 2], *spec;
	static const char *const machines[] = { "x86_64", "aarch64", "s390x", "mips" };
	char *part[2], spec_buf[1024], err[512], cands[64];
	struct fw_probe_plan plan;
	struct fw_open_probe op;
	struct fw_ksyms ks;
	size_t len[2], n, i, j;
	int nwanted = 0;
	FILE *f;

	n = fuzz_split(data, size, part, len, 2);
	spec = n > 1 ? part[1] : NULL;
	if (spec) {
		nwanted = fw_spec_symbols(spec, spec_buf, sizeof(spec_buf), wanted, FW_MAX_PROBES);
		FUZZ_CHECK(nwanted <= FW_MAX_PROBES);
		if (nwanted < 0)
			nwanted = 0;
	}
	wanted[nwanted++] = fw_open_probe_symbols[0];
	wanted[nwanted++] = fw_open_probe_symbols[1];

	/* fmemopen refuses an empty buffer: an empty kallsyms is one newline. */
	f = len[0] ? fmemopen(part[0], len[0], "r") : fmemopen((char[]){ "\n" }, 1, "r");
	FUZZ_CHECK(f != NULL);
	if (fw_ksyms_load(f, wanted, (size_t)nwanted, &ks) < 0) {
		fclose(f);
		fuzz_free(part, n);
		return 0;
	}
	fclose(f);
	/* Only creation entry points and what was asked for are kept, once. */
	for (i = 0; i < ks.count; i++) {
		bool asked = false;

		for (j = 0; j < (size_t)nwanted; j++)
			asked = asked || !strcmp(ks.names[i], wanted[j]);
		FUZZ_CHECK(fw_ksym_is_creation(ks.names[i]) || asked);
		FUZZ_CHECK(strlen(ks.names[i]) <= 255);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(ks.names[i], ks.names[j]) != 0);
		(void)fw_syscall_of_symbol(ks.names[i]);
	}
	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		err[0] = '\0';
		check_plan(&ks, &plan, fw_plan_for_arch(&ks, machines[i], &plan, err, sizeof(err)), err);
	}
	err[0] = '\0';
	check_plan(&ks, &plan, fw_plan_from_spec(&ks, spec, "x86_64", &plan, err, sizeof(err)), err);
	if (fw_open_probe_choose(&ks, &op) == 0)
		FUZZ_CHECK(fw_ksyms_has(&ks, op.symbol) && op.entry_fn);
	/* The candidates listed in an error message fit any buffer. */
	for (i = 1; i <= sizeof(cands); i *= 4) {
		fw_ksyms_candidates(&ks, cands, i);
		FUZZ_CHECK(fuzz_terminated(cands, i));
	}
	fw_ksyms_free(&ks);
	fuzz_free(part, n);
	return 0;
}
