/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal test harness: CHECK records failures and keeps going; each test
 * program ends with CHECK_DONE(), which prints "N passed, M failed" and sets
 * the exit status. */
#ifndef FW_CHECK_H
#define FW_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (cond) {                                                             \
			check_passed++;                                                 \
		} else {                                                                \
			check_failed++;                                                 \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                       \
	} while (0)

#define CHECK_EQ_U(a, b)                                                                \
	do {                                                                            \
		unsigned long long _a = (a), _b = (b);                                  \
		if (_a == _b) {                                                         \
			check_passed++;                                                 \
		} else {                                                                \
			check_failed++;                                                 \
			fprintf(stderr, "%s:%d: %s == %s failed: %llu != %llu\n", __FILE__, \
				__LINE__, #a, #b, _a, _b);                              \
		}                                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *_a = (a), *_b = (b);                                        \
		if (_a && _b && strcmp(_a, _b) == 0) {                                  \
			check_passed++;                                                 \
		} else {                                                                \
			check_failed++;                                                 \
			fprintf(stderr, "%s:%d: %s == %s failed: '%s' != '%s'\n", __FILE__, \
				__LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); \
		}                                                                       \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                                     \
	do {                                                                            \
		const char *_h = (hay), *_n = (needle);                                 \
		if (_h && strstr(_h, _n)) {                                             \
			check_passed++;                                                 \
		} else {                                                                \
			check_failed++;                                                 \
			fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n", __FILE__, __LINE__, \
				_h ? _h : "(null)", _n);                                \
		}                                                                       \
	} while (0)

#define CHECK_DONE()                                                                    \
	do {                                                                            \
		printf("%d passed, %d failed\n", check_passed, check_failed);           \
		return check_failed ? 1 : 0;                                            \
	} while (0)

#endif
