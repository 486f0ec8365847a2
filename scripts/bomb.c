// SPDX-License-Identifier: GPL-2.0
/*
 * fw-bomb: the process-creation loads of scripts/fork_bomb.sh and the tests.
 *
 *   fw-bomb c-loop      for (;;) fork();            every member forks in a loop
 *   fw-bomb vfork       vfork + exec of itself      every member vforks in a loop
 *   fw-bomb clone3      posix_spawn of itself       glibc makes these with clone3
 *                                                   (on x86_64; arm64 bookworm: clone)
 *   fw-bomb threads     pthread_create in a loop    threads that stay alive
 *   fw-bomb chain       fork, the parent exits      a runaway chain: one or two
 *                       alive at a time, the lineage ever deeper
 *   fw-bomb server N S  N workers at once, kept S seconds (a pre-forking server)
 *   fw-bomb spawn-n N   N children, one at a time, by posix_spawn (clone3)
 *   fw-bomb vfork-n N   N children, one at a time, by vfork + exec
 *   fw-bomb threads-n N N threads, one at a time, created and joined
 *   fw-bomb clone3-n N  N children, one at a time, by the clone3 syscall itself
 *                       (glibc's choice of syscall differs by arch and version:
 *                       bookworm's arm64 glibc makes every child with clone)
 *   fw-bomb fork-n N    N children, one at a time, by fork; prints "child PID"
 *   fw-bomb threads-report N  N threads, one at a time; prints "thread TID"
 *   fw-bomb open-n N P  opens P N times (O_RDONLY|O_CLOEXEC), closing each
 *   fw-bomb open P...   opens each P once; "w:P" opens for writing (creates,
 *                       truncates); prints "open P RESULT"
 *   fw-bomb fork-rate N S  N forkers (one per core, say), each doing fork +
 *                       _exit + wait in a loop for S seconds; prints the
 *                       forks made and the rate (for scripts/bench)
 *   fw-bomb syscall-rate S  getppid() in a loop for S seconds; prints the
 *                       calls made and the ns per call (for scripts/bench)
 *   fw-bomb as NAME ... renames itself (the kernel's comm) to NAME, then runs
 *                       the rest: the tests' filters match what follows only
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
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
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

/* Each member forks one child, which goes on with the loop, and exits at
 * once: only one or two are alive at a time, thousands are made a second. */
static void chain_loop(void)
{
	for (;;) {
		pid_t pid;

		check_deadline(); /* the child, or the parent after a refusal */
		pid = fork();
		if (pid > 0)
			_exit(0);
		if (pid < 0)
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

static void *report_thread(void *arg)
{
	(void)arg;
	printf("thread %ld\n", (long)syscall(SYS_gettid));
	return NULL;
}

/* fork-n prints each child's id and threads-report each thread's, so the tests
 * can check the ids the tool reports. */
static int make_reported(const char *how, int n)
{
	int i;

	printf("self %d parent %d\n", (int)getpid(), (int)getppid());
	for (i = 0; i < n; i++) {
		if (!strcmp(how, "fork-n")) {
			pid_t pid;

			fflush(stdout);
			pid = fork();
			if (pid == 0)
				_exit(0);
			if (pid < 0 || waitpid(pid, NULL, 0) != pid)
				return 1;
			printf("child %d\n", (int)pid);
		} else {
			pthread_t t;

			if (pthread_create(&t, NULL, report_thread, NULL) != 0 ||
			    pthread_join(t, NULL) != 0)
				return 1;
		}
	}
	fflush(stdout);
	return 0;
}

static double mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Benign and bounded: each forker has at most one child at a time. */
/* getppid() through syscall(2) (glibc caches nothing for it, but this way
 * nothing can) in a loop for S seconds: what any syscall costs, which a
 * syscalls tracepoint attached anywhere makes every task pay. */
static int syscall_rate(double seconds)
{
	unsigned long long n = 0;
	double start = mono_seconds(), now = start;
	int i;

	if (seconds <= 0)
		return 2;
	while (now - start < seconds) {
		for (i = 0; i < 4096; i++)
			syscall(SYS_getppid);
		n += 4096;
		now = mono_seconds();
	}
	printf("calls %llu seconds %.3f ns_per_call %.1f\n", n, now - start, (now - start) * 1e9 / (double)n);
	return 0;
}

static int fork_rate(int forkers, double seconds)
{
	int fds[2], i, failed = 0;
	unsigned long long total = 0;
	double start = mono_seconds(), end;

	if (forkers < 1 || forkers > 1024 || seconds <= 0 || pipe(fds) < 0)
		return 2;
	for (i = 0; i < forkers; i++) {
		pid_t p = fork();

		if (p == 0) {
			unsigned long long n = 0;

			close(fds[0]);
			while (mono_seconds() - start < seconds) {
				pid_t c = fork();

				if (c == 0)
					_exit(0);
				if (c < 0 || waitpid(c, NULL, 0) != c)
					_exit(1);
				n++;
			}
			if (write(fds[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
		if (p < 0)
			return 1;
	}
	close(fds[1]);
	for (i = 0; i < forkers; i++) {
		unsigned long long n;
		int status;

		if (read(fds[0], &n, sizeof(n)) == sizeof(n))
			total += n;
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	end = mono_seconds();
	printf("forks %llu seconds %.3f rate %.0f\n", total, end - start, (double)total / (end - start));
	return failed;
}

static int open_paths(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *path = argv[i];
		int flags = O_RDONLY | O_CLOEXEC, fd;

		if (!strncmp(path, "w:", 2)) {
			path += 2;
			flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
		}
		fd = open(path, flags, 0600);
		printf("open %s %d\n", path, fd < 0 ? -errno : fd);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* A child made by the clone3 syscall, not by a libc wrapper: it exits at
 * once, touching nothing of the libc (whose thread data describe the
 * parent). The arguments' first version, 64 bytes (uapi struct clone_args,
 * CLONE_ARGS_SIZE_VER0). */
static pid_t clone3_exit(void)
{
	struct {
		unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack,
			stack_size, tls;
	} args;
	long pid;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		syscall(SYS_exit_group, 0);
	return (pid_t)pid;
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
		} else if (!strcmp(how, "clone3-n")) {
			pid = clone3_exit();
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
	if (argc >= 4 && !strcmp(argv[1], "as")) {
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: fw-bomb [as NAME] c-loop|vfork|clone3|threads|chain | server N "
				"SECONDS | spawn-n|vfork-n|threads-n|clone3-n|fork-n|threads-report N | fork-rate N S | syscall-rate S | open-n N PATH | "
				"open PATH...\n");
		return 2;
	}
	if (!strcmp(argv[1], "fork-n") || !strcmp(argv[1], "threads-report")) {
		if (argc < 3)
			return 2;
		return make_reported(argv[1], atoi(argv[2]));
	}
	if (!strcmp(argv[1], "syscall-rate"))
		return argc == 3 ? syscall_rate(atof(argv[2])) : 2;
	if (!strcmp(argv[1], "fork-rate"))
		return argc == 4 ? fork_rate(atoi(argv[2]), atof(argv[3])) : 2;
	if (!strcmp(argv[1], "open-n")) {
		int i, n = argc == 4 ? atoi(argv[2]) : -1;

		for (i = 0; i < n; i++) {
			int fd = open(argv[3], O_RDONLY | O_CLOEXEC);

			if (fd < 0)
				return 1;
			close(fd);
		}
		return n < 0 ? 2 : 0;
	}
	if (!strcmp(argv[1], "open"))
		return open_paths(argc - 2, argv + 2);
	if (!strcmp(argv[1], "spawn-n") || !strcmp(argv[1], "vfork-n") ||
	    !strcmp(argv[1], "threads-n") || !strcmp(argv[1], "clone3-n")) {
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
	else if (!strcmp(argv[1], "chain"))
		chain_loop();
	fprintf(stderr, "fw-bomb: unknown mode '%s'\n", argv[1]);
	return 2;
}
