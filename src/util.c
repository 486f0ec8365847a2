// SPDX-License-Identifier: GPL-2.0
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

int fw_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int fw_parse_duration(const char *s, uint64_t max_ns, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, frac_scale = 1, unit_ns, frac_ns;
	const char *p = s;

	if (!s || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_scale >= 1000000000ULL)
				return -1; /* finer than a nanosecond */
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_scale *= 10;
		}
	}
	if (*p == '\0' || strcmp(p, "s") == 0)
		unit_ns = 1000000000ULL;
	else if (strcmp(p, "ms") == 0)
		unit_ns = 1000000ULL;
	else if (strcmp(p, "m") == 0)
		unit_ns = 60000000000ULL;
	else
		return -1;
	if (whole > max_ns / unit_ns)
		return -1;
	/* The fraction of a unit, exact and within 64 bits (frac * unit_ns is
	 * not: 0.999999999m): a unit is whole milliseconds, frac_scale <= 1e9. */
	frac_ns = frac_scale <= 1000000ULL ? frac * (unit_ns / frac_scale)
					   : frac * (unit_ns / 1000000ULL) / (frac_scale / 1000000ULL);
	if (frac_ns > max_ns - whole * unit_ns)
		return -1;
	*out = whole * unit_ns + frac_ns;
	if (*out == 0)
		return -1;
	return 0;
}

void fw_format_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns % 1000000000ULL == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ns / 1000000000ULL));
	else if (ns % 1000000ULL == 0 && ns < 1000000000ULL)
		snprintf(buf, len, "%llums", (unsigned long long)(ns / 1000000ULL));
	else
		snprintf(buf, len, "%.3fs", (double)ns / 1e9);
}

int fw_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int fw_parse_cpulist(const char *s, int *cpus, int max)
{
	int n = 0;

	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b;

		/* Past INT_MAX a CPU number does not fit cpus[] (and c++ below
		 * would overflow at LONG_MAX). */
		if (end == s || a < 0 || a > INT_MAX)
			return -1;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a || b > INT_MAX)
				return -1;
		}
		for (long c = a; c <= b; c++) {
			if (n == max)
				return -1;
			cpus[n++] = (int)c;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return n;
}

uint64_t fw_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int fw_read_small_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

int fw_kernel_at_least(const char *release, unsigned major, unsigned minor)
{
	unsigned a, b;

	if (sscanf(release, "%u.%u", &a, &b) != 2)
		return 1;
	return a > major || (a == major && b >= minor);
}
