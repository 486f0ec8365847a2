// SPDX-License-Identifier: GPL-2.0
/* fw-probe-plan FILE ARCH: the probe choice bcc-forkwatch would make for a
 * kallsyms file of another machine (scripts/vm-test feeds it an arm64
 * guest's). Prints "SYMBOL SYSCALL WHY" lines and "missing SYSCALL" lines. */
#include <stdio.h>

#include "kallsyms.h"
#include "probe_choice.h"

int main(int argc, char **argv)
{
	struct fw_probe_plan plan;
	struct fw_ksyms ks;
	char err[512];
	size_t i;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: fw-probe-plan KALLSYMS-FILE ARCH\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f || fw_ksyms_load(f, NULL, 0, &ks) < 0) {
		perror(argv[1]);
		return 1;
	}
	fclose(f);
	if (fw_plan_for_arch(&ks, argv[2], &plan, err, sizeof(err)) < 0) {
		fprintf(stderr, "fw-probe-plan: %s\n", err);
		fw_ksyms_free(&ks);
		return 1;
	}
	for (i = 0; i < plan.count; i++)
		printf("%s %s %s\n", plan.probes[i].symbol, fw_syscall_name(plan.probes[i].syscall),
		       plan.probes[i].why);
	for (i = 0; i < plan.nmissing; i++)
		printf("missing %s\n", plan.missing[i]);
	fw_ksyms_free(&ks);
	return 0;
}
