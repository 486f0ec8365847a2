// SPDX-License-Identifier: GPL-2.0
/*
 * fw-bomb: the process-creation loads of scripts/fork_bomb.sh and the tests.
 *
 *   fw-bomb c-loop      for (;;) fork();            every member forks in a loop
 *   fw-bomb vfork       vfork + exec of itself      every member vforks in a loop
 *   fw-bomb clone3      posix_spawn of itself       glibc makes these with clone3
 *   fw-bomb threads     pthread_create in a loop    threads that stay alive
 *   fw-bomb server N S  N workers at once, kept S seconds (a pre-forking server)
 *   fw-bomb spawn-n N   N children, one at a time, by posix_spawn (clone3)
 *   fw-bomb vfork-n N   N children, one at a time, by vfork + exec
 *   fw-bomb threads-n N N threads, one at a time, created and joined
 *
 * Never run a bomb mode outside a cgroup with pids.max: fork_bomb.sh does
 * that. As a second line of defence every member stops on its own once
 * FW_BOMB_DEADLINE (CLOCK_MONOTONIC seconds, set by the first member from
 * FW_BOMB_SECONDS, default 10) has passed, and it backs off for a
 * millisecond whenever the kernel refuses a new task, so the machine stays
 * usable while the cgroup is full.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double deadline;

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void backoff(void)
{
	struct timespec ms = { 0, 1000000 };

	nanosleep(&ms, NULL);
}

static void check_deadline(void)
{
	if (mono() > deadline)
		_exit(0);
}

static void set_deadline(void)
{
	const char *d = getenv("FW_BOMB_DEADLINE");
	char buf[64];

	if (d) {
		deadline = strtod(d, NULL);
		return;
	}
	d = getenv("FW_BOMB_SECONDS");
	deadline = mono() + (d ? strtod(d, NULL) : 10.0);
	snprintf(buf, sizeof(buf), "%.3f", deadline);
	setenv("FW_BOMB_DEADLINE", buf, 1); /* exec'd members inherit it */
}

static void c_loop(void)
{
	for (;;) {
		check_deadline();
		if (fork() < 0)
			backoff();
	}
}

static void vfork_loop(char *self)
{
	for (;;) {
		pid_t pid;

		check_deadline();
		pid = vfork();
		if (pid == 0) {
			execl("/proc/self/exe", self, "vfork", (char *)NULL);
			_exit(127);
		}
		if (pid < 0)
			backoff();
	}
}

static void spawn_loop(char *self)
{
	char *args[] = { self, "clone3", NULL };

	for (;;) {
		pid_t pid;

		check_deadline();
		if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) != 0)
			backoff();
	}
}

static void *idle_thread(void *arg)
{
	(void)arg;
	while (mono() < deadline)
		sleep(1);
	return NULL;
}

static void thread_loop(void)
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		pthread_t t;

		check_deadline();
		if (pthread_create(&t, &attr, idle_thread, NULL) != 0)
			backoff();
	}
}

/* Benign: a pre-forking server starts its workers at once and keeps them. */
static int server(int workers, int seconds)
{
	pid_t *pids = calloc((size_t)workers, sizeof(*pids));
	int i;

	if (!pids)
		return 1;
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			sleep((unsigned)seconds);
			_exit(0);
		}
		if (pids[i] < 0) {
			perror("fork");
			break;
		}
	}
	while (wait(NULL) > 0)
		;
	free(pids);
	return 0;
}

/* The child execs or exits, never returns: safe in a helper, and it keeps
 * the caller's locals out of vfork's way. */
static pid_t vfork_exec(char **args)
{
	pid_t pid = vfork();

	if (pid == 0) {
		execv("/bin/true", args);
		_exit(127);
	}
	return pid;
}

/* Benign, sequential: for counting children made by each syscall. */
static int make_n(const char *how, int n)
{
	char *args[] = { "true", NULL };
	int i;

	for (i = 0; i < n; i++) {
		pid_t pid = -1;

		if (!strcmp(how, "spawn-n")) {
			if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) != 0)
				return 1;
		} else if (!strcmp(how, "vfork-n")) {
			pid = vfork_exec(args);
		} else {
			pthread_t t;

			if (pthread_create(&t, NULL, idle_thread, NULL) != 0 || pthread_join(t, NULL) != 0)
				return 1;
			continue;
		}
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fw-bomb c-loop|vfork|clone3|threads | server N SECONDS | "
				"spawn-n|vfork-n|threads-n N\n");
		return 2;
	}
	if (!strcmp(argv[1], "spawn-n") || !strcmp(argv[1], "vfork-n") ||
	    !strcmp(argv[1], "threads-n")) {
		if (argc != 3)
			return 2;
		deadline = 0; /* idle_thread returns at once */
		return make_n(argv[1], atoi(argv[2]));
	}
	if (!strcmp(argv[1], "server")) {
		if (argc != 4)
			return 2;
		return server(atoi(argv[2]), atoi(argv[3]));
	}
	set_deadline();
	signal(SIGCHLD, SIG_IGN); /* no zombies: members are reaped by the kernel */
	if (!strcmp(argv[1], "c-loop"))
		c_loop();
	else if (!strcmp(argv[1], "vfork"))
		vfork_loop(argv[0]);
	else if (!strcmp(argv[1], "clone3"))
		spawn_loop(argv[0]);
	else if (!strcmp(argv[1], "threads"))
		thread_loop();
	fprintf(stderr, "fw-bomb: unknown mode '%s'\n", argv[1]);
	return 2;
}
