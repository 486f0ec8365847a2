// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bcc/bcc_common.h>
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

/* On a fatal error LLVM ends the process from inside the compiler
 * ("LLVM ERROR: ...", then exit(1)), with stderr quieted. This exit hook
 * says why, in one line, with the exit code of a failed compile. */
static struct {
	struct fw_bpf *b;
	struct quiet *q;
} compiling;

static void compile_aborted(void)
{
	struct fw_bpf *b = compiling.b;

	if (!b)
		return;
	compiling.b = NULL;
	quiet_end(b, compiling.q);
	fprintf(stderr, "%s: the BPF compiler aborted while compiling the probe%s%s%s\n",
		program_invocation_short_name,
		b->last_error[0] ? ": " : "", b->last_error,
		b->verbose ? "" : " (-v shows its messages)");
	_exit(FW_EXIT_BPF);
}

int fw_bpf_compile(struct fw_bpf *b, const char *source, const char **cflags, int ncflags,
		   bool verbose)
{
	static bool hooked;
	struct quiet q;

	memset(b, 0, sizeof(*b));
	b->verbose = verbose;
	if (!hooked)
		hooked = atexit(compile_aborted) == 0;
	quiet_begin(b, &q);
	compiling.b = b;
	compiling.q = &q;
	b->mod = bpf_module_create_c_from_string(source, 0, cflags, ncflags, true, NULL);
	compiling.b = NULL;
	quiet_end(b, &q);
	return b->mod ? 0 : -1;
}

static int load(struct fw_bpf *b, const char *fn, int prog_type)
{
	struct quiet q;
	size_t i;
	int fd;

	for (i = 0; i < b->nprogs; i++)
		if (!strcmp(b->progs[i].fn, fn))
			return b->progs[i].fd;
	if (!b->mod) {
		snprintf(b->last_error, sizeof(b->last_error), "the compiler was already released");
		return -1;
	}
	if (b->nprogs == FW_MAX_ATTACH || !bpf_function_start(b->mod, fn)) {
		snprintf(b->last_error, sizeof(b->last_error), "no function %s in the probe", fn);
		return -1;
	}
	quiet_begin(b, &q);
	fd = bcc_func_load(b->mod, prog_type, fn, bpf_function_start(b->mod, fn),
			   (int)bpf_function_size(b->mod, fn), bpf_module_license(b->mod),
			   bpf_module_kern_version(b->mod), 0, NULL, 0, NULL, -1);
	quiet_end(b, &q);
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
	if (!b->mod || b->ntables == FW_MAX_TABLES || strlen(table) >= sizeof(b->tables[0].name))
		return -1;
	fd = bpf_table_fd(b->mod, table);
	if (fd < 0)
		return -1;
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 3); /* the module closes its own on destroy */
	if (fd < 0)
		return -1;
	snprintf(b->tables[b->ntables].name, sizeof(b->tables[0].name), "%s", table);
	b->tables[b->ntables++].fd = fd;
	return fd;
}

void fw_bpf_release_compiler(struct fw_bpf *b)
{
	char line[512];
	FILE *maps;

	if (!b->mod)
		return;
	bpf_module_destroy(b->mod);
	b->mod = NULL;
	malloc_trim(0);
	maps = fopen("/proc/self/smaps", "re");
	if (!maps)
		return;
	/* Clean, read-only mappings of libbcc and the clang and LLVM
	 * libraries it compiles with (code, constants): never
	 * its data, nor relocated pages (Private_Dirty), which would come back
	 * from the file unrelocated. */
	{
		unsigned long start = 0, end = 0, dirty;
		int candidate = 0;

		while (fgets(line, sizeof(line), maps)) {
			unsigned long a, z;
			char perms[8];

			if (sscanf(line, "%lx-%lx %7s", &a, &z, perms) == 3) {
				candidate = perms[1] != 'w' &&
					    (strstr(line, "/libbcc.so") || strstr(line, "/libLLVM") ||
					     strstr(line, "/libclang"));
				start = a;
				end = z;
			} else if (candidate && sscanf(line, "Private_Dirty: %lu kB", &dirty) == 1) {
				if (dirty == 0)
					madvise((void *)start, end - start, MADV_DONTNEED);
				candidate = 0;
			}
		}
	}
	fclose(maps);
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

void fw_bpf_poll(struct fw_bpf *b, int timeout_ms)
{
	if (b->nreaders > 0)
		perf_reader_poll(b->nreaders, b->readers, timeout_ms);
	else
		usleep((useconds_t)timeout_ms * 1000);
}

void fw_bpf_drain(struct fw_bpf *b)
{
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
	for (i = 0; i < b->nprogs; i++)
		close(b->progs[i].fd);
	b->nprogs = 0;
	for (i = 0; i < b->ntables; i++)
		close(b->tables[i].fd);
	b->ntables = 0;
	if (b->mod)
		bpf_module_destroy(b->mod);
	b->mod = NULL;
}
