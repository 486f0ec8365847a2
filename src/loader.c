// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bcc/bcc_common.h> /* prototypes only: libbcc is loaded in the helper */
#include <bcc/libbpf.h>
#include <bcc/perf_reader.h>
#include <linux/if_link.h>

#include "options.h"
#include "util.h"

/* libbcc reports only through stderr. Unless verbose, point fd 2 at a
 * memfd around each call and keep the most telling line for our error. */
struct quiet {
	int saved;
	int memfd;
};

static void quiet_begin(struct fw_bpf *b, struct quiet *q)
{
	q->saved = -1;
	q->memfd = -1;
	if (b->verbose)
		return;
	fflush(stderr);
	q->memfd = memfd_create("bcc-output", MFD_CLOEXEC);
	q->saved = q->memfd < 0 ? -1 : fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (q->saved < 0 || dup2(q->memfd, 2) < 0) {
		if (q->saved >= 0)
			close(q->saved);
		if (q->memfd >= 0)
			close(q->memfd);
		q->saved = q->memfd = -1;
	}
}

static void quiet_end(struct fw_bpf *b, struct quiet *q)
{
	char buf[16384], *line, *save = NULL;
	int saved_errno = errno; /* the call's, for the caller's message */
	ssize_t n;

	if (q->saved < 0)
		return;
	fflush(stderr);
	dup2(q->saved, 2);
	close(q->saved);
	n = pread(q->memfd, buf, sizeof(buf) - 1, 0);
	close(q->memfd);
	errno = saved_errno;
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* Prefer clang's "error:" line, else the first non-empty line. */
	b->last_error[0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "error:")) {
			snprintf(b->last_error, sizeof(b->last_error), "%s", line);
			break;
		}
		if (!b->last_error[0] && line[0])
			snprintf(b->last_error, sizeof(b->last_error), "%s", line);
	}
}

/*
 * The compiler runs in a helper: a child of the watcher that loads libbcc
 * (and with it clang and LLVM, about 130 MB while compiling) with dlopen,
 * compiles the probe, and hands the watcher each program it loads and each
 * map it asks for, as file descriptors over a socket (SCM_RIGHTS), until
 * fw_bpf_release_compiler ends it. The watcher links only libbcc_bpf
 * (attach, perf buffers, map calls): no LLVM is ever mapped in the
 * long-lived process. libbcc stays the loader.
 */
enum helper_op { HELPER_LOAD = 1, HELPER_TABLE };

struct helper_req {
	int op;
	int prog_type;
	char name[64];
};

struct helper_rep {
	int rc;       /* 0, or -1 with err and msg */
	int err;
	int aborted;  /* LLVM ended the compile (a fatal error) ... */
	int signal;   /* ... or the compiler crashed on this signal */
	char msg[512];
};

/* One message, with fd attached when fd >= 0. */
static int helper_send(int sock, const void *buf, size_t len, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(ctl, 0, sizeof(ctl));
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* One message of exactly len bytes; *fd the one attached, else -1.
 * Returns -1 at end of file or on a short message. */
static int helper_recv(int sock, void *buf, size_t len, int *fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t n;

	if (fd)
		*fd = -1;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (c = CMSG_FIRSTHDR(&m); n > 0 && c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (fd && *fd < 0)
				*fd = got;
			else
				close(got);
		}
	return n == (ssize_t)len ? 0 : -1;
}

/* On a fatal error LLVM ends the helper from inside the compiler ("LLVM
 * ERROR: ...", then exit(1)), with stderr quieted; and libbcc can crash
 * on some broken header trees (a SIGSEGV after clang's first error). An
 * exit hook and the crash signals' handler send why to the watcher before
 * the helper goes: the watcher then says what the compiler said. */
static struct {
	struct fw_bpf *b;
	struct quiet *q;
	int sock;
} compiling;

static void compile_ended(int sig)
{
	struct fw_bpf *b = compiling.b;
	struct helper_rep rep = { .rc = -1, .aborted = 1, .signal = sig };

	if (!b)
		return;
	compiling.b = NULL;
	quiet_end(b, compiling.q);
	snprintf(rep.msg, sizeof(rep.msg), "%s", b->last_error);
	helper_send(compiling.sock, &rep, sizeof(rep), -1);
	_exit(FW_EXIT_BPF);
}

static void compile_aborted(void)
{
	compile_ended(0);
}

static void compile_crashed(int sig)
{
	/* Best effort from a crashed process: what it calls may wait on a lock
	 * the crash left held, so the alarm ends it regardless (the watcher
	 * then says the helper ended without an answer). */
	alarm(2);
	compile_ended(sig);
	_exit(FW_EXIT_BPF);
}

/* libbcc's calls, as the helper finds them in libbcc.so.0. *//* libbcc's calls, as the helper finds them in libbcc.so.0. */
struct bcc_calls {
	__typeof__(&bpf_module_create_c_from_string) create;
	__typeof__(&bpf_function_start) function_start;
	__typeof__(&bpf_function_size) function_size;
	__typeof__(&bpf_module_license) license;
	__typeof__(&bpf_module_kern_version) kern_version;
	__typeof__(&bcc_func_load) func_load;
	__typeof__(&bpf_table_fd) table_fd;
};

static const char *bcc_calls_find(void *lib, struct bcc_calls *c)
{
#define FIND(field, symbol)                                  \
	do {                                                 \
		*(void **)&c->field = dlsym(lib, #symbol);   \
		if (!c->field)                               \
			return #symbol;                      \
	} while (0)
	FIND(create, bpf_module_create_c_from_string);
	FIND(function_start, bpf_function_start);
	FIND(function_size, bpf_function_size);
	FIND(license, bpf_module_license);
	FIND(kern_version, bpf_module_kern_version);
	FIND(func_load, bcc_func_load);
	FIND(table_fd, bpf_table_fd);
#undef FIND
	return NULL;
}

/* The helper: compile, say how it went, then answer until the watcher
 * closes its end. Never returns. */
static void helper_main(int sock, const char *source, const char **cflags, int ncflags,
			bool verbose)
{
	struct fw_bpf hb = { .verbose = verbose };
	struct helper_rep rep = { .rc = -1 };
	struct helper_req req;
	struct bcc_calls bcc;
	const char *missing;
	struct quiet q;
	void *lib, *mod;

	prctl(PR_SET_NAME, "fw-compile", 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	lib = dlopen("libbcc.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(rep.msg, sizeof(rep.msg), "cannot load libbcc: %s", dlerror());
		helper_send(sock, &rep, sizeof(rep), -1);
		_exit(FW_EXIT_BPF);
	}
	missing = bcc_calls_find(lib, &bcc);
	if (missing) {
		snprintf(rep.msg, sizeof(rep.msg), "libbcc.so.0 has no %s", missing);
		helper_send(sock, &rep, sizeof(rep), -1);
		_exit(FW_EXIT_BPF);
	}
	atexit(compile_aborted);
	{
		static const int crashes[] = { SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE };
		struct sigaction sa = { .sa_handler = compile_crashed, .sa_flags = SA_RESETHAND };
		size_t i;

		for (i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
			sigaction(crashes[i], &sa, NULL);
	}
	quiet_begin(&hb, &q);
	compiling.b = &hb;
	compiling.q = &q;
	compiling.sock = sock;
	mod = bcc.create(source, 0, cflags, ncflags, true, NULL);
	compiling.b = NULL;
	quiet_end(&hb, &q);
	rep.rc = mod ? 0 : -1;
	snprintf(rep.msg, sizeof(rep.msg), "%s", hb.last_error);
	if (helper_send(sock, &rep, sizeof(rep), -1) < 0 || !mod)
		_exit(FW_EXIT_BPF);
	while (helper_recv(sock, &req, sizeof(req), NULL) == 0) {
		int fd = -1;

		req.name[sizeof(req.name) - 1] = '\0';
		memset(&rep, 0, sizeof(rep));
		hb.last_error[0] = '\0';
		if (req.op == HELPER_LOAD) {
			void *start = bcc.function_start(mod, req.name);

			if (!start) {
				snprintf(hb.last_error, sizeof(hb.last_error),
					 "no function %s in the probe", req.name);
				errno = ENOENT;
			} else {
				quiet_begin(&hb, &q);
				fd = bcc.func_load(mod, req.prog_type, req.name, start,
						   (int)bcc.function_size(mod, req.name),
						   bcc.license(mod), bcc.kern_version(mod), 0, NULL, 0,
						   NULL, -1);
				quiet_end(&hb, &q);
			}
		} else if (req.op == HELPER_TABLE) {
			fd = bcc.table_fd(mod, req.name);
			if (fd < 0) {
				snprintf(hb.last_error, sizeof(hb.last_error), "no map %s in the probe",
					 req.name);
				errno = ENOENT;
			}
		} else {
			errno = EINVAL;
		}
		rep.rc = fd < 0 ? -1 : 0;
		rep.err = fd < 0 ? errno : 0;
		snprintf(rep.msg, sizeof(rep.msg), "%s", hb.last_error);
		if (helper_send(sock, &rep, sizeof(rep), fd) < 0)
			break;
		if (req.op == HELPER_LOAD && fd >= 0)
			close(fd); /* the watcher has its own now; maps stay the module's */
	}
	_exit(0); /* the module's maps go with it; the watcher holds its own fds */
}

/* A request to the helper: the fd it answers with, or -1 (b->last_error
 * and errno say why). */
static int helper_ask(struct fw_bpf *b, int op, int prog_type, const char *name)
{
	struct helper_req req = { .op = op, .prog_type = prog_type };
	struct helper_rep rep;
	int fd;

	if (b->helper_pid <= 0) {
		snprintf(b->last_error, sizeof(b->last_error), "the compiler was already released");
		errno = ENOENT;
		return -1;
	}
	snprintf(req.name, sizeof(req.name), "%s", name);
	if (helper_send(b->helper_sock, &req, sizeof(req), -1) < 0 ||
	    helper_recv(b->helper_sock, &rep, sizeof(rep), &fd) < 0) {
		snprintf(b->last_error, sizeof(b->last_error), "the compiler helper is gone");
		errno = EPIPE;
		return -1;
	}
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	if (rep.rc < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		if (rep.msg[0])
			snprintf(b->last_error, sizeof(b->last_error), "%s", rep.msg);
		errno = rep.err ? rep.err : EINVAL;
		return -1;
	}
	return fd;
}

/* Waits for the helper to go, keeping its peak memory. */
static void helper_reap(struct fw_bpf *b)
{
	struct rusage ru;
	pid_t got;
	int status;

	if (b->helper_pid <= 0)
		return; /* never started (a zeroed fw_bpf), or gone */
	close(b->helper_sock);
	b->helper_sock = -1;
	do
		got = wait4(b->helper_pid, &status, 0, &ru);
	while (got < 0 && errno == EINTR);
	if (got == b->helper_pid)
		b->helper_maxrss_kb = ru.ru_maxrss;
	b->helper_pid = 0;
}

int fw_bpf_compile(struct fw_bpf *b, const char *source, const char **cflags, int ncflags,
		   bool verbose)
{
	struct helper_rep rep;
	int sv[2];
	pid_t pid;

	memset(b, 0, sizeof(*b));
	b->verbose = verbose;
	b->helper_sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(b->last_error, sizeof(b->last_error), "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		snprintf(b->last_error, sizeof(b->last_error), "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		helper_main(sv[1], source, cflags, ncflags, verbose);
	}
	close(sv[1]);
	b->helper_sock = sv[0];
	b->helper_pid = pid;
	if (helper_recv(b->helper_sock, &rep, sizeof(rep), NULL) < 0) {
		snprintf(b->last_error, sizeof(b->last_error),
			 "the compiler helper ended before it answered");
		helper_reap(b);
		return -1;
	}
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	if (rep.rc == 0)
		return 0;
	if (rep.aborted && rep.signal > 0)
		snprintf(b->last_error, sizeof(b->last_error),
			 "the BPF compiler crashed (SIG%s)%s%.400s%s",
			 sigabbrev_np(rep.signal) ? sigabbrev_np(rep.signal) : "?",
			 rep.msg[0] ? " after: " : "", rep.msg,
			 verbose ? "" : " (-v shows its messages)");
	else if (rep.aborted)
		snprintf(b->last_error, sizeof(b->last_error), "the BPF compiler aborted%s%.400s%s",
			 rep.msg[0] ? ": " : "", rep.msg, verbose ? "" : " (-v shows its messages)");
	else
		snprintf(b->last_error, sizeof(b->last_error), "%s", rep.msg);
	helper_reap(b);
	return -1;
}

static int load(struct fw_bpf *b, const char *fn, int prog_type)
{
	size_t i;
	int fd;

	for (i = 0; i < b->nprogs; i++)
		if (!strcmp(b->progs[i].fn, fn))
			return b->progs[i].fd;
	if (b->nprogs == FW_MAX_ATTACH) {
		snprintf(b->last_error, sizeof(b->last_error), "too many programs");
		return -1;
	}
	fd = helper_ask(b, HELPER_LOAD, prog_type, fn);
	if (fd < 0)
		return -1;
	snprintf(b->progs[b->nprogs].fn, sizeof(b->progs[0].fn), "%s", fn);
	b->progs[b->nprogs++].fd = fd;
	return fd;
}

/* The next attachment, cleared and of its kind, with fn loaded as
 * prog_type into *prog; NULL when the table is full or the load failed.
 * It counts only once the caller has attached it (b->natt++). */
static struct fw_attachment *next_attachment(struct fw_bpf *b, const char *fn, int prog_type,
					     enum fw_attach_kind kind, int *prog)
{
	struct fw_attachment *a;

	if (b->natt == FW_MAX_ATTACH)
		return NULL;
	*prog = load(b, fn, prog_type);
	if (*prog < 0)
		return NULL;
	a = &b->att[b->natt];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	snprintf(a->fn, sizeof(a->fn), "%s", fn);
	return a;
}

int fw_bpf_load_tracepoint(struct fw_bpf *b, const char *fn)
{
	return load(b, fn, BPF_PROG_TYPE_TRACEPOINT);
}

int fw_bpf_attach_kprobe(struct fw_bpf *b, const char *fn, const char *symbol, bool ret)
{
	struct fw_attachment *a;
	struct quiet q;
	char *c;
	int prog;

	a = next_attachment(b, fn, BPF_PROG_TYPE_KPROBE, FW_ATTACH_KPROBE, &prog);
	if (!a)
		return -1;
	/* Same event naming as BCC's Python: p_<symbol> or r_<symbol>, '.' made '_'. */
	snprintf(a->event, sizeof(a->event), "%s_%s", ret ? "r" : "p", symbol);
	for (c = a->event; *c; c++)
		if (*c == '.' || *c == '+')
			*c = '_';
	quiet_begin(b, &q);
	a->fd = bpf_attach_kprobe(prog, ret ? BPF_PROBE_RETURN : BPF_PROBE_ENTRY, a->event, symbol, 0,
				  0);
	quiet_end(b, &q);
	if (a->fd < 0)
		return -1;
	b->natt++;
	return 0;
}

int fw_bpf_attach_tracepoint(struct fw_bpf *b, const char *fn, const char *category,
			     const char *name)
{
	struct fw_attachment *a;
	struct quiet q;
	int prog;

	a = next_attachment(b, fn, BPF_PROG_TYPE_TRACEPOINT, FW_ATTACH_TRACEPOINT, &prog);
	if (!a)
		return -1;
	snprintf(a->category, sizeof(a->category), "%s", category);
	snprintf(a->name, sizeof(a->name), "%s", name);
	quiet_begin(b, &q);
	a->fd = bpf_attach_tracepoint(prog, category, name);
	quiet_end(b, &q);
	if (a->fd < 0)
		return -1;
	b->natt++;
	return 0;
}

int fw_bpf_attach_lsm(struct fw_bpf *b, const char *fn)
{
	struct fw_attachment *a;
	struct quiet q;
	int prog;

	a = next_attachment(b, fn, BPF_PROG_TYPE_LSM, FW_ATTACH_LSM, &prog);
	if (!a)
		return -1;
	snprintf(a->name, sizeof(a->name), "%s", fn);
	quiet_begin(b, &q);
	a->fd = bpf_attach_lsm(prog);
	quiet_end(b, &q);
	if (a->fd < 0)
		return -1;
	b->natt++;
	return 0;
}

int fw_bpf_attach_xdp(struct fw_bpf *b, const char *fn, const char *ifname, unsigned int flags)
{
	struct fw_attachment *a;
	struct quiet q;
	int prog, rc;

	a = next_attachment(b, fn, BPF_PROG_TYPE_XDP, FW_ATTACH_XDP, &prog);
	if (!a)
		return -1;
	snprintf(a->name, sizeof(a->name), "%s", ifname);
	a->xdp_flags = flags;
	quiet_begin(b, &q);
	rc = bpf_attach_xdp(ifname, prog, flags);
	quiet_end(b, &q);
	if (rc < 0)
		return -1;
	a->fd = 0; /* no fd: the program stays on the interface until detached */
	b->natt++;
	return 0;
}

static void detach(struct fw_bpf *b, struct fw_attachment *a)
{
	struct quiet q;

	quiet_begin(b, &q);
	switch (a->kind) {
	case FW_ATTACH_KPROBE:
		bpf_close_perf_event_fd(a->fd);
		bpf_detach_kprobe(a->event); /* removes a kprobe_events entry if one was made */
		break;
	case FW_ATTACH_TRACEPOINT:
		bpf_close_perf_event_fd(a->fd);
		bpf_detach_tracepoint(a->category, a->name);
		break;
	case FW_ATTACH_LSM:
		close(a->fd); /* the link: closing it detaches */
		break;
	case FW_ATTACH_XDP:
		/* Only the mode we attached in: -1 removes our program. */
		bpf_attach_xdp(a->name, -1, a->xdp_flags & ~XDP_FLAGS_UPDATE_IF_NOEXIST);
		break;
	}
	quiet_end(b, &q);
	a->fd = -1;
}

int fw_bpf_detach_fn(struct fw_bpf *b, const char *fn)
{
	size_t i, kept = 0;
	int n = 0;

	for (i = 0; i < b->natt; i++) {
		if (!strcmp(b->att[i].fn, fn)) {
			detach(b, &b->att[i]);
			n++;
		} else {
			b->att[kept++] = b->att[i];
		}
	}
	b->natt = kept;
	return n;
}

void fw_bpf_detach_kind(struct fw_bpf *b, enum fw_attach_kind kind)
{
	size_t i, kept = 0;

	for (i = 0; i < b->natt; i++) {
		if (b->att[i].kind == kind)
			detach(b, &b->att[i]);
		else
			b->att[kept++] = b->att[i];
	}
	b->natt = kept;
}

int fw_bpf_table_fd(struct fw_bpf *b, const char *table)
{
	size_t i;
	int fd;

	for (i = 0; i < b->ntables; i++)
		if (!strcmp(b->tables[i].name, table))
			return b->tables[i].fd;
	if (b->ntables == FW_MAX_TABLES || strlen(table) >= sizeof(b->tables[0].name))
		return -1;
	fd = helper_ask(b, HELPER_TABLE, 0, table);
	if (fd < 0)
		return -1;
	snprintf(b->tables[b->ntables].name, sizeof(b->tables[0].name), "%s", table);
	b->tables[b->ntables++].fd = fd;
	return fd;
}

void fw_bpf_release_compiler(struct fw_bpf *b)
{
	helper_reap(b);
}

int fw_bpf_open_perf(struct fw_bpf *b, const char *table, fw_sample_cb cb, fw_lost_cb lost,
		     void *cookie, int page_cnt, int wakeup_events)
{
	int cpus[FW_MAX_CPUS], n, i;
	char list[4096];
	ssize_t len;
	int fd, map_fd;

	fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, list, sizeof(list) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	list[len] = '\0';
	n = fw_parse_cpulist(list, cpus, FW_MAX_CPUS);
	if (n <= 0)
		return -1;
	map_fd = fw_bpf_table_fd(b, table);
	if (map_fd < 0 || b->nreaders + n > 2 * FW_MAX_CPUS)
		return -1;
	for (i = 0; i < n; i++) {
		struct bcc_perf_buffer_opts opts = { .pid = -1, .cpu = cpus[i], .wakeup_events = wakeup_events };
		struct perf_reader *r;
		struct quiet q;
		int key = cpus[i], rfd;

		quiet_begin(b, &q);
		r = bpf_open_perf_buffer_opts(cb, lost, cookie, page_cnt, &opts);
		quiet_end(b, &q);
		if (!r)
			return -1;
		b->readers[b->nreaders] = r;
		b->reader_map_fds[b->nreaders] = map_fd;
		b->reader_cpus[b->nreaders++] = key;
		rfd = perf_reader_fd(r);
		if (bpf_update_elem(map_fd, &key, &rfd, 0) < 0)
			return -1;
	}
	return 0;
}

bool fw_bpf_ringbuf_supported(void)
{
	int fd = bcc_create_map(BPF_MAP_TYPE_RINGBUF, "fw_probe_rb", 0, 0, 4096, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* libbpf's ring buffer callback, to ours. */
static int ring_sample(void *ctx, void *data, size_t size)
{
	const struct fw_ring_reader *r = ctx;

	r->cb(r->cookie, data, size > INT32_MAX ? INT32_MAX : (int)size);
	return 0;
}

int fw_bpf_open_ring(struct fw_bpf *b, const char *table, fw_sample_cb cb, void *cookie)
{
	int map_fd = fw_bpf_table_fd(b, table);
	struct fw_ring_reader *r;
	struct quiet q;
	int err = 0;

	if (map_fd < 0 || b->nrings == FW_MAX_RINGS)
		return -1;
	r = &b->rings[b->nrings];
	r->cb = cb;
	r->cookie = cookie;
	quiet_begin(b, &q);
	if (!b->ring) {
		b->ring = bpf_new_ringbuf(map_fd, ring_sample, r);
		err = b->ring ? 0 : -1;
	} else {
		err = bpf_add_ringbuf(b->ring, map_fd, ring_sample, r) < 0 ? -1 : 0;
	}
	quiet_end(b, &q);
	if (err == 0)
		b->nrings++;
	return err;
}

void fw_bpf_poll(struct fw_bpf *b, int timeout_ms)
{
	if (b->ring)
		bpf_poll_ringbuf(b->ring, timeout_ms);
	else if (b->nreaders > 0)
		perf_reader_poll(b->nreaders, b->readers, timeout_ms);
	else
		usleep((useconds_t)timeout_ms * 1000);
}

void fw_bpf_drain(struct fw_bpf *b)
{
	if (b->ring)
		bpf_consume_ringbuf(b->ring);
	if (b->nreaders > 0)
		perf_reader_consume(b->nreaders, b->readers);
}

void fw_bpf_close(struct fw_bpf *b)
{
	size_t i;
	int j;

	for (i = 0; i < b->natt; i++)
		if (b->att[i].fd >= 0)
			detach(b, &b->att[i]);
	b->natt = 0;
	for (j = 0; j < b->nreaders; j++) {
		int key = b->reader_cpus[j];

		bpf_delete_elem(b->reader_map_fds[j], &key);
		perf_reader_free(b->readers[j]);
	}
	b->nreaders = 0;
	if (b->ring)
		bpf_free_ringbuf(b->ring);
	b->ring = NULL;
	b->nrings = 0;
	for (i = 0; i < b->nprogs; i++)
		close(b->progs[i].fd);
	b->nprogs = 0;
	for (i = 0; i < b->ntables; i++)
		close(b->tables[i].fd);
	b->ntables = 0;
	helper_reap(b);
}
