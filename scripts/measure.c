// SPDX-License-Identifier: GPL-2.0
/*
 * fw-measure: what scripts/bench-contain measures around a bomb, from
 * outside it.
 *
 *   fw-measure latency SECONDS [INTERVAL_MS]
 *       A process at normal priority asks for INTERVAL_MS sleeps (default
 *       10) for SECONDS and prints how late it woke: "latency samples N
 *       p50 A p99 B max C ms". A machine that keeps answering wakes it on
 *       time; one drowned in runnable bomb members does not.
 *   fw-measure quiet CGROUP_DIR SECONDS
 *       Waits for the cgroup to appear, then polls its processes every 2 ms
 *       (at the priority it is run with: real-time, to see through a bomb)
 *       and prints the peak number alive (zombies not counted) and when the
 *       last one was seen alive: "quiet peak N first T0 last T1" (Unix
 *       times; 0 when none was seen). It stops when the cgroup is gone again
 *       or after SECONDS.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double clock_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int latency(double seconds, double interval_ms)
{
	size_t cap = (size_t)(seconds * 1000 / interval_ms) + 16, n = 0;
	double *late = calloc(cap, sizeof(*late)), end = clock_s(CLOCK_MONOTONIC) + seconds;
	struct timespec want = { (time_t)(interval_ms / 1000),
				 (long)((interval_ms - (double)(long)(interval_ms / 1000) * 1000) * 1e6) };

	if (!late)
		return 1;
	while (n < cap && clock_s(CLOCK_MONOTONIC) < end) {
		double t0 = clock_s(CLOCK_MONOTONIC);

		nanosleep(&want, NULL);
		late[n++] = (clock_s(CLOCK_MONOTONIC) - t0) * 1000 - interval_ms;
	}
	if (n == 0) {
		free(late);
		return 1;
	}
	qsort(late, n, sizeof(*late), by_value);
	printf("latency samples %zu p50 %.2f p99 %.2f max %.2f ms\n", n, late[n / 2],
	       late[n * 99 / 100], late[n - 1]);
	free(late);
	return 0;
}

/* Processes in the cgroup that are not zombies; -1 when it is gone. */
static int live_in(const char *procs)
{
	char buf[1 << 16], path[64], stat[512], *p, *line, *save = NULL;
	int fd = open(procs, O_RDONLY | O_CLOEXEC), live = 0;
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while (got < (ssize_t)sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		snprintf(path, sizeof(path), "/proc/%s/stat", line);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		if (n <= 0)
			continue;
		stat[n] = '\0';
		p = strrchr(stat, ')');
		if (p && p[1] == ' ' && p[2] != 'Z')
			live++;
	}
	return live;
}

static int quiet(const char *dir, double seconds)
{
	char procs[4096];
	double end = clock_s(CLOCK_MONOTONIC) + seconds, first = 0, last = 0;
	struct timespec tick = { 0, 2000000 };
	int peak = 0, live;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	while (clock_s(CLOCK_MONOTONIC) < end && access(procs, R_OK) < 0) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	while (clock_s(CLOCK_MONOTONIC) < end && (live = live_in(procs)) >= 0) {
		if (live > 0) {
			last = clock_s(CLOCK_REALTIME);
			if (!first)
				first = last;
		}
		if (live > peak)
			peak = live;
		nanosleep(&tick, NULL);
	}
	printf("quiet peak %d first %.6f last %.6f\n", peak, first, last);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = argc >= 3 ? atof(argv[argc == 4 && !strcmp(argv[1], "quiet") ? 3 : 2]) : 0;

	if (seconds > 0 && seconds <= 3600) {
		if ((argc == 3 || argc == 4) && !strcmp(argv[1], "latency")) {
			double interval = argc == 4 ? atof(argv[3]) : 10;

			if (interval >= 0.1 && interval <= 1000)
				return latency(seconds, interval);
		}
		if (argc == 4 && !strcmp(argv[1], "quiet"))
			return quiet(argv[2], seconds);
	}
	fprintf(stderr, "usage: fw-measure latency SECONDS [INTERVAL_MS] | quiet CGROUP_DIR SECONDS\n");
	return 2;
}
