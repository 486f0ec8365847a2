/* SPDX-License-Identifier: GPL-2.0 */
/* Small pure helpers: strict number and duration parsing. */
#ifndef FW_UTIL_H
#define FW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal integer in [min, max]; no sign, no spaces, no trailing text.
 * Returns 0 or -1. */
int fw_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Duration: "250ms", "1.5s", "2" (seconds), "1m". Returns nanoseconds in
 * *out, or -1 for anything else, zero, or more than max_ns. */
int fw_parse_duration(const char *s, uint64_t max_ns, uint64_t *out);

/* "1s", "250ms", "1.5s": the shortest exact text for a duration. */
void fw_format_duration(uint64_t ns, char *buf, size_t len);

/* snprintf that reports truncation: returns 0 when it all fit, -1 if not. */
int fw_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* CLOCK_MONOTONIC in nanoseconds: the clock bpf_ktime_get_ns() reads. */
uint64_t fw_mono_ns(void);

/* "0-3,5,7-8" (sysfs cpu lists) into cpus[]; returns the count or -1. */
int fw_parse_cpulist(const char *s, int *cpus, int max);
/* Reads a small file (a proc or sysfs entry) into buf, NUL-terminated.
 * Returns its length, or -1. */
int fw_read_small_file(const char *path, char *buf, size_t len);

/* Is a kernel release ("5.2.0-1-amd64", "6.18.44-fc") at least major.minor?
 * An unreadable release counts as new enough. */
int fw_kernel_at_least(const char *release, unsigned major, unsigned minor);
#endif
