/* SPDX-License-Identifier: GPL-2.0 */
/* What the libFuzzer harnesses share: a check that fails the run (libFuzzer
 * takes the abort for a crash and keeps the input that made it), and the
 * fuzz input cut into C strings, each a heap copy of its own so that
 * AddressSanitizer catches a read past any of them. */
#ifndef FW_FUZZ_H
#define FW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                 \
			abort();                                                        \
		}                                                                       \
	} while (0)

/* A heap copy of n bytes with a NUL after them. */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* The input as C strings: cut at each NUL byte into at most max parts,
 * the last part taking the rest (NUL bytes and all, with its length in
 * len[]). Returns how many parts (at least 1); free them with fuzz_free. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, char **part, size_t *len,
				size_t max)
{
	size_t n = 0, start = 0, i;

	for (i = 0; i < size && n + 1 < max; i++) {
		if (data[i] != '\0')
			continue;
		len[n] = i - start;
		part[n++] = fuzz_strndup(data + start, i - start);
		start = i + 1;
	}
	len[n] = size - start;
	part[n++] = fuzz_strndup(data + start, size - start);
	return n;
}

static inline void fuzz_free(char **part, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(part[i]);
}

/* Is s a NUL-terminated string within its len bytes? */
static inline int fuzz_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

#endif
