// SPDX-License-Identifier: GPL-2.0
/*
 * fw-memhog: maps anonymous memory the way the mem-limit tests need.
 *   fw-memhog COMM mmap STEP_MB COUNT   COUNT mmaps of STEP_MB each
 *   fw-memhog COMM brk STEP_MB COUNT    COUNT heap extensions (sbrk)
 * Takes COMM as its comm first, prints "mapped N MiB" after each step, then
 * "done" and sleeps 100 ms. Nothing is touched: address space only.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long step, count, i;

	if (argc != 5 || (strcmp(argv[2], "mmap") && strcmp(argv[2], "brk"))) {
		fprintf(stderr, "usage: fw-memhog COMM mmap|brk STEP_MB COUNT\n");
		return 2;
	}
	step = atol(argv[3]);
	count = atol(argv[4]);
	if (step <= 0 || count <= 0) {
		fprintf(stderr, "fw-memhog: STEP_MB and COUNT must be positive\n");
		return 2;
	}
	prctl(PR_SET_NAME, argv[1]);
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 1; i <= count; i++) {
		size_t len = (size_t)step << 20;

		if (!strcmp(argv[2], "mmap")) {
			if (mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0) == MAP_FAILED) {
				perror("fw-memhog: mmap");
				return 1;
			}
		} else if (sbrk((intptr_t)len) == (void *)-1) {
			perror("fw-memhog: sbrk");
			return 1;
		}
		printf("mapped %ld MiB\n", i * step);
		usleep(10000);
	}
	printf("done\n");
	usleep(100000);
	return 0;
}
