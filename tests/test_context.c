// SPDX-License-Identifier: GPL-2.0
/* Who an alert is about (context.h): the cgroup chosen from
 * /proc/PID/cgroup on v2, hybrid and v1 hosts, systemd's unit and slice,
 * the container runtimes' cgroup names, NSpid, the start time, /etc/passwd
 * lines, the command line's escaping, the Prometheus unit label; and the
 * context in the console line, metrics.log, JSON and the syslog message. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "context.h"
#include "metrics.h"
#include "output.h"

#define ID "3f4c5d6e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d"
#define ID2 "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"

static void test_cgroup_choose(void)
{
	char out[256], tiny[8];

	/* cgroup v2 only (systemd's unified hierarchy). */
	CHECK_STR(fw_context_cgroup_choose("0::/system.slice/nginx.service\n", out, sizeof(out)), "v2");
	CHECK_STR(out, "/system.slice/nginx.service");
	/* Hybrid systemd host: v1 controllers, name=systemd and the unified line agree. */
	CHECK_STR(fw_context_cgroup_choose("12:pids:/system.slice/cron.service\n"
					   "4:memory:/system.slice/cron.service\n"
					   "1:name=systemd:/system.slice/cron.service\n"
					   "0::/system.slice/cron.service\n",
					   out, sizeof(out)),
		  "v2");
	CHECK_STR(out, "/system.slice/cron.service");
	/* This machine's kind: hybrid, PID 1 not systemd, the unified line
	 * "/": a pids cgroup of one's own is the one that says something. */
	CHECK_STR(fw_context_cgroup_choose("9:name=systemd:/\n8:pids:/fw-bomb-77\n"
					   "4:memory:/process_api/164eb8cbeb87dfa9fcc71d45f6f30508\n"
					   "0::/\n",
					   out, sizeof(out)),
		  "pids");
	CHECK_STR(out, "/fw-bomb-77");
	/* v1 only, systemd's named hierarchy first. */
	CHECK_STR(fw_context_cgroup_choose("11:pids:/docker/" ID "\n1:name=systemd:/docker/" ID "\n",
					   out, sizeof(out)),
		  "systemd");
	CHECK_STR(out, "/docker/" ID);
	/* A combined controller list. */
	CHECK_STR(fw_context_cgroup_choose("5:cpu,pids:/a.slice/b.service\n", out, sizeof(out)), "pids");
	CHECK_STR(out, "/a.slice/b.service");
	/* All at the root: the first there, "/". */
	CHECK_STR(fw_context_cgroup_choose("8:pids:/\n0::/\n", out, sizeof(out)), "v2");
	CHECK_STR(out, "/");
	/* None of the three, or garbage. */
	CHECK(fw_context_cgroup_choose("4:memory:/x\n3:cpuset:/\n", out, sizeof(out)) == NULL);
	CHECK(fw_context_cgroup_choose("", out, sizeof(out)) == NULL);
	CHECK(fw_context_cgroup_choose("0::relative\n", out, sizeof(out)) == NULL);
	/* A path with a colon is the rest of the line. */
	CHECK_STR(fw_context_cgroup_choose("0::/a:b/c\n", out, sizeof(out)), "v2");
	CHECK_STR(out, "/a:b/c");
	/* Too long for the buffer: none, not a piece. */
	CHECK(fw_context_cgroup_choose("0::/system.slice/x.service\n", tiny, sizeof(tiny)) == NULL);
}

static void unit_is(const char *path, const char *unit, const char *slice)
{
	char u[128], s[128];

	fw_context_systemd(path, u, sizeof(u), s, sizeof(s));
	CHECK_STR(u, unit);
	CHECK_STR(s, slice);
}

static void test_systemd(void)
{
	unit_is("/system.slice/nginx.service", "nginx.service", "system.slice");
	unit_is("/system.slice/nginx.service/worker", "nginx.service", "system.slice");
	unit_is("/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service",
		"system-getty.slice");
	unit_is("/user.slice/user-1000.slice/session-3.scope", "session-3.scope", "user-1000.slice");
	unit_is("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service",
		"user@1000.service", "user-1000.slice");
	unit_is("/init.scope", "init.scope", "-.slice");
	unit_is("/system.slice", "", "system.slice");
	unit_is("/", "", "");
	unit_is("", "", "");
	unit_is("/docker/" ID, "", "");
	unit_is("/fw-bomb-123", "", "");
	unit_is("/system.slice/docker-" ID ".scope", "docker-" ID ".scope", "system.slice");
	unit_is("/machine.slice/libpod-" ID ".scope/container", "libpod-" ID ".scope",
		"machine.slice");
	unit_is("/kubepods.slice/kubepods-burstable.slice/"
		"kubepods-burstable-pod0f3a7c1e_8b2d_4e5f_9a6b_1c2d3e4f5a6b.slice/cri-containerd-" ID
		".scope",
		"cri-containerd-" ID ".scope", "kubepods-burstable-pod0f3a7c1e_8b2d_4e5f_9a6b_1c2d3e4f5a6b.slice");
	unit_is("/system.slice/systemd-journald.socket", "systemd-journald.socket", "system.slice");
	/* Not unit names: no type, a bad character, a leading dot. */
	unit_is("/system.slice/foo", "", "system.slice");
	unit_is("/system.slice/foo bar.service", "", "system.slice");
	unit_is("/system.slice/.service", "", "system.slice");
	unit_is("/system.slice/x.target", "", "system.slice");
}

static void container_is(const char *path, const char *runtime, const char *id)
{
	char got[FW_CTX_CONTAINER_LEN];
	const char *rt = fw_context_container(path, got, sizeof(got));

	if (!runtime) {
		CHECK(rt == NULL);
		CHECK_STR(got, "");
		return;
	}
	CHECK_STR(rt, runtime);
	CHECK_STR(got, id);
}

static void test_container(void)
{
	/* docker: systemd driver and cgroupfs (v1 and v2). */
	container_is("/system.slice/docker-" ID ".scope", "docker", ID);
	container_is("/docker/" ID, "docker", ID);
	/* containerd under kubelet, systemd driver; nerdctl. */
	container_is("/kubepods.slice/kubepods-besteffort.slice/"
		     "kubepods-besteffort-pod0f3a7c1e_8b2d_4e5f_9a6b_1c2d3e4f5a6b.slice/cri-containerd-" ID
		     ".scope",
		     "containerd", ID);
	container_is("/system.slice/nerdctl-" ID ".scope", "containerd", ID);
	/* kubelet's cgroupfs driver: a bare id below the pod. */
	container_is("/kubepods/burstable/pod0f3a7c1e-8b2d-4e5f-9a6b-1c2d3e4f5a6b/" ID, "cri", ID);
	container_is("/kubepods/pod0f3a7c1e-8b2d-4e5f-9a6b-1c2d3e4f5a6b/" ID, "cri", ID);
	/* cri-o, systemd and cgroupfs; its conmon is not the container. */
	container_is("/kubepods.slice/kubepods-burstable.slice/"
		     "kubepods-burstable-pod0f3a7c1e_8b2d_4e5f_9a6b_1c2d3e4f5a6b.slice/crio-" ID ".scope",
		     "cri-o", ID);
	container_is("/kubepods/burstable/pod0f3a7c1e-8b2d-4e5f-9a6b-1c2d3e4f5a6b/crio-" ID, "cri-o",
		     ID);
	container_is("/kubepods.slice/crio-conmon-" ID ".scope", NULL, NULL);
	/* podman: root (machine.slice), rootless (the user's manager), the
	 * "container" group inside the scope, cgroupfs; conmon is not it. */
	container_is("/machine.slice/libpod-" ID ".scope", "podman", ID);
	container_is("/machine.slice/libpod-" ID ".scope/container", "podman", ID);
	container_is("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
		     "podman", ID);
	container_is("/libpod_parent/libpod-" ID, "podman", ID);
	container_is("/machine.slice/libpod-conmon-" ID ".scope", NULL, NULL);
	/* Nested: the innermost. */
	container_is("/system.slice/docker-" ID ".scope/docker/" ID2, "docker", ID2);
	/* An id alone elsewhere; not ids: 63 or 65 digits, capitals, 32 digits. */
	container_is("/actions_job/" ID, "unknown", ID);
	container_is("/docker/" ID "0", NULL, NULL);
	container_is("/docker/3f4c5d6e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4", NULL,
		     NULL);
	container_is("/docker/3F4C5D6E7A8B9C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F1A2B3C4D", NULL,
		     NULL);
	container_is("/process_api/164eb8cbeb87dfa9fcc71d45f6f30508", NULL, NULL);
	container_is("/system.slice/docker.service", NULL, NULL);
	container_is("/system.slice/docker-" ID ".service", NULL, NULL);
	container_is("/", NULL, NULL);
	container_is("", NULL, NULL);
	{
		char small[10];

		CHECK(fw_context_container("/docker/" ID, small, sizeof(small)) == NULL);
	}
}

static void test_nspid(void)
{
	uint32_t inner = 99, levels = 99;

	CHECK_EQ_U(fw_context_nspid("Name:\tbash\nNSpid:\t1234\nNSpgid:\t1\n", &inner, &levels), 0);
	CHECK_EQ_U(levels, 0);
	CHECK_EQ_U(inner, 0);
	CHECK_EQ_U(fw_context_nspid("Name:\tbash\nTgid:\t4\nNSpid:\t28031\t2\nNSpgid:\t1\n", &inner,
				    &levels),
		   0);
	CHECK_EQ_U(levels, 1);
	CHECK_EQ_U(inner, 2);
	CHECK_EQ_U(fw_context_nspid("NSpid:\t5000\t40\t7", &inner, &levels), 0);
	CHECK_EQ_U(levels, 2);
	CHECK_EQ_U(inner, 7);
	CHECK(fw_context_nspid("Name:\tbash\nPid:\t4\n", &inner, &levels) < 0);
	CHECK(fw_context_nspid("NSpid:\n", &inner, &levels) < 0);
	CHECK(fw_context_nspid("NSpid:\t12x\n", &inner, &levels) < 0);
	CHECK(fw_context_nspid("NSpid:\t99999999999\n", &inner, &levels) < 0);
	/* Only at the start of a line. */
	CHECK(fw_context_nspid("XNSpid:\t1\t2\n", &inner, &levels) < 0);
}

static void test_starttime(void)
{
	uint64_t t = 0;

	CHECK_EQ_U(fw_context_stat_starttime("28031 (bash) S 28029 28031 28022 0 -1 4194560 163 0 0 0 "
					     "0 0 0 0 20 0 1 0 123456 8957952 842 18446744073709551615",
					     &t),
		   0);
	CHECK_EQ_U(t, 123456);
	/* A command with spaces and parens. */
	CHECK_EQ_U(fw_context_stat_starttime("7 (a) b) (c) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 "
					     "0 0\n",
					     &t),
		   0);
	CHECK_EQ_U(t, 42);
	CHECK(fw_context_stat_starttime("7 (a) R 1 7 7 0", &t) < 0);
	CHECK(fw_context_stat_starttime("no paren", &t) < 0);
	CHECK(fw_context_stat_starttime("7 (a) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x9 0", &t) < 0);

	/* 100 ticks a second: started at 5.00 s since boot. */
	CHECK(!fw_context_started_after(500, 100, 5000000000ULL));
	CHECK(!fw_context_started_after(500, 100, 4995000000ULL)); /* within a tick */
	CHECK(fw_context_started_after(500, 100, 4980000000ULL));
	CHECK(fw_context_started_after(UINT64_MAX, 100, 1));
	CHECK(!fw_context_started_after(500, 0, 0));
}

static void test_passwd(void)
{
	char name[FW_CTX_USER_LEN];

	CHECK_EQ_U(fw_context_passwd_name("root:x:0:0:root:/root:/bin/bash\n", 0, name, sizeof(name)),
		   0);
	CHECK_STR(name, "root");
	CHECK_EQ_U(fw_context_passwd_name("www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin", 33,
					  name, sizeof(name)),
		   0);
	CHECK_STR(name, "www-data");
	CHECK(fw_context_passwd_name("root:x:0:0:root:/root:/bin/bash\n", 1000, name, sizeof(name)) < 0);
	CHECK(fw_context_passwd_name("+::0:0:::\n", 0, name, sizeof(name)) < 0);
	CHECK(fw_context_passwd_name("+nisuser\n", 0, name, sizeof(name)) < 0);
	CHECK(fw_context_passwd_name(":x:0:0::/:/bin/sh\n", 0, name, sizeof(name)) < 0);
	CHECK(fw_context_passwd_name("a,b:x:5:5::/:/bin/sh\n", 5, name, sizeof(name)) < 0);
	CHECK(fw_context_passwd_name("bob:x:1000\n", 1000, name, sizeof(name)) < 0);
	CHECK(fw_context_passwd_name("bob:x::1000:::\n", 0, name, sizeof(name)) < 0);
	CHECK(fw_context_passwd_name("bob:x:-1:1000:::\n", 0, name, sizeof(name)) < 0);
	CHECK(fw_context_passwd_name("averyveryverylongname:x:7:7:::\n", 7, name, 8) < 0);
	CHECK(fw_context_passwd_name("# comment\n", 0, name, sizeof(name)) < 0);
}

static void test_cmdline(void)
{
	static const char bomb[] = "bash\0-c\0:(){ :|:& };:\0";
	char out[FW_CTX_CMDLINE_LEN], small[24];
	bool cut;

	cut = fw_context_escape_cmdline(bomb, sizeof(bomb) - 1, out, sizeof(out));
	CHECK(!cut);
	CHECK_STR(out, "bash -c ':(){ :|:& };:'");
	/* No NUL after the last argument (a process that rewrote its argv). */
	fw_context_escape_cmdline("sleep\0" "9999", 10, out, sizeof(out));
	CHECK_STR(out, "sleep 9999");
	/* A quote, an empty argument, control bytes, a backslash, UTF-8. */
	fw_context_escape_cmdline("sh\0-c\0echo 'hi'\0\0a\tb\\\xc3\xa9\0", 25, out, sizeof(out));
	CHECK_STR(out, "sh -c 'echo '\\''hi'\\''' '' 'a\\x09b\\x5c\\xc3\\xa9'");
	/* Safe characters stay bare. */
	fw_context_escape_cmdline("/usr/bin/python3\0-m\0http.server\0--bind=127.0.0.1:8080\0", 54, out,
				  sizeof(out));
	CHECK_STR(out, "/usr/bin/python3 -m http.server --bind=127.0.0.1:8080");
	/* Bounded: cut at a boundary, "..." says so. */
	cut = fw_context_escape_cmdline(bomb, sizeof(bomb) - 1, small, sizeof(small));
	CHECK(cut);
	CHECK(strlen(small) < sizeof(small));
	CHECK_STR(small, "bash -c ':(){ :|:& }...");
	cut = fw_context_escape_cmdline("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0", 31, small, sizeof(small));
	CHECK(cut);
	CHECK_STR(small, "aaaaaaaaaaaaaaaaaaaa...");
	cut = fw_context_escape_cmdline("\x01\x01\x01\x01\x01\x01\0", 7, small, 12);
	CHECK(cut);
	CHECK_STR(small, "'\\x01...");
	/* Nothing (a zombie, a kernel thread). */
	CHECK(!fw_context_escape_cmdline("", 0, out, sizeof(out)));
	CHECK_STR(out, "");
	CHECK(fw_context_escape_cmdline("x\0", 2, small, 3));
	CHECK_STR(small, "");
}

static void test_escape_path(void)
{
	char out[64], small[12];

	fw_context_escape_path("/system.slice/a\nb\\c.service", out, sizeof(out));
	CHECK_STR(out, "/system.slice/a\\x0ab\\x5cc.service");
	fw_context_escape_path("/system.slice/long.service", small, sizeof(small));
	CHECK_STR(small, "/system....");
	CHECK(strlen(small) < sizeof(small));
}

static void test_from_cgroup(void)
{
	struct fw_context c;

	memset(&c, 0, sizeof(c));
	fw_context_from_cgroup("9:name=systemd:/\n8:pids:/system.slice/docker-" ID ".scope\n"
			       "0::/system.slice/docker-" ID ".scope\n",
			       &c);
	CHECK_STR(c.hierarchy, "v2");
	CHECK_STR(c.cgroup, "/system.slice/docker-" ID ".scope");
	CHECK_STR(c.unit, "docker-" ID ".scope");
	CHECK_STR(c.slice, "system.slice");
	CHECK_STR(c.runtime, "docker");
	CHECK_STR(c.container, ID);
	fw_context_from_cgroup("4:memory:/x\n", &c);
	CHECK_STR(c.hierarchy, "");
	CHECK_STR(c.cgroup, "");
	CHECK_STR(c.unit, "");
	CHECK_STR(c.runtime, "");
}

static void label_is(const char *cgroup_text, const char *label)
{
	struct fw_context c;
	char out[FW_CTX_UNIT_LEN];

	memset(&c, 0, sizeof(c));
	fw_context_from_cgroup(cgroup_text, &c);
	fw_context_unit_label(&c, out, sizeof(out));
	CHECK_STR(out, label);
}

static void test_unit_labels(void)
{
	struct fw_unit_labels *t = calloc(1, sizeof(*t));
	char name[32];
	size_t i;

	label_is("0::/system.slice/nginx.service\n", "nginx.service");
	label_is("0::/system.slice/docker-" ID ".scope\n", "container:docker");
	label_is("0::/kubepods/burstable/pod0f3a7c1e-8b2d-4e5f-9a6b-1c2d3e4f5a6b/" ID "\n",
		 "container:cri");
	label_is("0::/user.slice/user-1000.slice/session-42.scope\n", "session.scope");
	label_is("0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n",
		 "user@.service");
	label_is("0::/system.slice/run-r0123abcd.scope\n", "run-.scope");
	label_is("0::/fw-bomb-1\n", "none");
	label_is("", "none");

	/* The first 16 labels, then "other"; a label seen keeps its slot. */
	for (i = 0; i < FW_UNIT_LABELS_MAX; i++) {
		snprintf(name, sizeof(name), "u%zu.service", i);
		CHECK_EQ_U(fw_unit_label_slot(t, name), i);
	}
	CHECK_EQ_U(fw_unit_label_slot(t, "late.service"), FW_UNIT_LABELS_MAX);
	CHECK_EQ_U(fw_unit_label_slot(t, "u3.service"), 3);
	CHECK_EQ_U(t->n, FW_UNIT_LABELS_MAX);
	free(t);
}

/* The context in every output. */
static struct fw_context sample_context(void)
{
	struct fw_context c;

	memset(&c, 0, sizeof(c));
	fw_context_from_cgroup("0::/system.slice/docker-" ID ".scope\n", &c);
	c.source = FW_CTX_MEMBER;
	c.pid = 4300;
	c.ns_level = 1;
	c.ns_pid = 2;
	c.has_uid = true;
	c.uid = 1000;
	snprintf(c.user, sizeof(c.user), "alice");
	fw_context_escape_cmdline("bash\0-c\0:(){ :|:& };:, \"x\"\0", 28, c.cmdline, sizeof(c.cmdline));
	return c;
}

static size_t csv_fields(const char *line)
{
	size_t n = 1;
	bool quoted = false;

	for (; *line; line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (*line == ',' && !quoted)
			n++;
	}
	return n;
}

static void test_outputs(void)
{
	struct fw_alert a = { 0 };
	struct fw_context c = sample_context();
	struct fw_report r = { .alert = &a, .wall = 1795321398.25, .hostname = "web-1", .ppid = 4200,
			       .root_comm = "bash", .members = 57, .window_ns = 1000000000ULL, .ctx = &c };
	char line[4096], kv[2048];
	json_t *j, *ctx;

	a.kind = FW_RULE_REPLICATOR;
	a.pid = a.tgid = 4301;
	a.root = 4242;
	a.uid = 1000;
	a.count = a.threshold = 5;
	a.strong = 2;
	memcpy(a.comm, "bash", 5);
	memcpy(a.root_comm, "bash", 5);

	fw_format_context_kv(&c, kv, sizeof(kv));
	CHECK_STR(kv, "cgroup=/system.slice/docker-" ID ".scope unit=docker-" ID ".scope "
		      "slice=system.slice container=" ID " runtime=docker ns_level=1 ns_pid=2 "
		      "user=alice user_id=1000 cmdline=\"bash -c ':(){ :|:& };:, \\\"x\\\"'\" "
		      "context=member context_pid=4300");
	fw_format_context_kv(NULL, kv, sizeof(kv));
	CHECK_STR(kv, "");

	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "ALERT replicator: root 4242 (bash)");
	CHECK_CONTAINS(line, "; who: cgroup=/system.slice/docker-" ID ".scope unit=");
	CHECK_CONTAINS(line, "context=member context_pid=4300");

	/* metrics.log: the original 20 columns, then the context's 12, the
	 * command line quoted (it holds a comma and quotes). */
	CHECK_EQ_U(csv_fields(fw_csv_header()), 32);
	CHECK(!strncmp(fw_csv_header(), "timestamp,pid,tgid,hostname,subprocesses,", 41));
	fw_format_csv(&r, line, sizeof(line));
	CHECK_EQ_U(csv_fields(line), 32);
	CHECK_CONTAINS(line, ",\"/system.slice/docker-" ID ".scope\",\"docker-" ID
			     ".scope\",\"system.slice\",docker," ID ",1,2,alice,1000,"
			     "\"bash -c ':(){ :|:& };:, \"\"x\"\"'\",member,4300");
	r.ctx = NULL;
	fw_format_csv(&r, line, sizeof(line));
	CHECK_EQ_U(csv_fields(line), 32);
	r.ctx = &c;

	j = fw_report_json(&r);
	ctx = json_object_get(j, "context");
	CHECK(ctx != NULL);
	CHECK_STR(json_string_value(json_object_get(ctx, "from")), "member");
	CHECK_EQ_U(json_integer_value(json_object_get(ctx, "pid")), 4300);
	CHECK_STR(json_string_value(json_object_get(ctx, "unit")), "docker-" ID ".scope");
	CHECK_STR(json_string_value(json_object_get(ctx, "cgroup_hierarchy")), "v2");
	CHECK_STR(json_string_value(json_object_get(json_object_get(ctx, "container"), "runtime")),
		  "docker");
	CHECK_STR(json_string_value(json_object_get(json_object_get(ctx, "container"), "id")), ID);
	CHECK_EQ_U(json_integer_value(json_object_get(json_object_get(ctx, "pidns"), "pid")), 2);
	CHECK_STR(json_string_value(json_object_get(ctx, "user")), "alice");
	CHECK_STR(json_string_value(json_object_get(ctx, "cmdline")), "bash -c ':(){ :|:& };:, \"x\"'");
	CHECK(json_is_false(json_object_get(ctx, "cmdline_truncated")));
	json_decref(j);

	/* The kill line carries it too. */
	r.is_kill = 1;
	r.killed_kernel = 30;
	r.killed_sweep = 8;
	r.took_ms = 1.4;
	a.action = FW_ACT_KILL;
	a.whole = 1;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "KILLED replicator: root 4242 (bash) and its lineage: 38 killed");
	CHECK_CONTAINS(line, "; who: cgroup=");
	j = fw_report_json(&r);
	CHECK(json_object_get(j, "context") != NULL);
	json_decref(j);

	/* syslog: event first, the alert's fields, why, then who. */
	fw_format_syslog(&r, line, sizeof(line));
	CHECK(!strncmp(line, "event=kill rule=replicator root=4242 root_comm=bash pid=4301 tgid=4301 "
			     "comm=bash ppid=4200 uid=1000 subprocesses=57 figure=5 threshold=5 "
			     "action=kill killed=38 kill_ms=1 why=\"its copies make copies:",
		       strlen("event=kill rule=replicator root=4242 root_comm=bash pid=4301 tgid=4301 "
			      "comm=bash ppid=4200 uid=1000 subprocesses=57 figure=5 threshold=5 "
			      "action=kill killed=38 kill_ms=1 why=\"its copies make copies:")));
	CHECK_CONTAINS(line, "\" cgroup=/system.slice/docker-" ID ".scope ");
	CHECK_CONTAINS(line, " runtime=docker ");
	r.is_kill = 0;
	a.action = FW_ACT_REPORT;
	fw_format_syslog(&r, line, sizeof(line));
	CHECK(!strncmp(line, "event=alert rule=replicator ", 28));
	CHECK(!strstr(line, "killed="));
	/* Bounded. */
	fw_format_syslog(&r, line, 40);
	CHECK(strlen(line) < 40);
}

/* Prometheus: alerts by rule and unit label; a series with its first alert. */
static void test_metrics_units(void)
{
	static struct fw_unit_labels t;
	static uint64_t by[FW_RULES][FW_UNIT_LABELS_MAX + 1];
	static char out[1 << 16];
	struct fw_metrics m;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.version = "0";
	m.mode = "tracepoint";
	m.probes = "";
	CHECK(fw_metrics_render(&m, out, sizeof(out)) > 0);
	CHECK(!strstr(out, "forkwatch_alerts_by_unit_total")); /* not given: not rendered */
	m.unit_labels = &t;
	m.alerts_by_unit = (const uint64_t (*)[FW_UNIT_LABELS_MAX + 1])by;
	by[FW_RULE_REPLICATOR][fw_unit_label_slot(&t, "nginx.service")] = 3;
	by[FW_RULE_SPAWNER][fw_unit_label_slot(&t, "container:docker")] = 1;
	for (i = 0; i < FW_UNIT_LABELS_MAX; i++) {
		char name[32];

		snprintf(name, sizeof(name), "u%zu.service", i);
		fw_unit_label_slot(&t, name);
	}
	by[FW_RULE_CHAIN][fw_unit_label_slot(&t, "late\"one.service")] = 2;
	CHECK(fw_metrics_render(&m, out, sizeof(out)) > 0);
	CHECK_CONTAINS(out, "# TYPE forkwatch_alerts_by_unit_total counter\n");
	CHECK_CONTAINS(out, "forkwatch_alerts_by_unit_total{kind=\"replicator\",unit=\"nginx.service\"} 3\n");
	CHECK_CONTAINS(out, "forkwatch_alerts_by_unit_total{kind=\"spawner\",unit=\"container:docker\"} 1\n");
	CHECK_CONTAINS(out, "forkwatch_alerts_by_unit_total{kind=\"chain\",unit=\"other\"} 2\n");
	CHECK(!strstr(out, "unit=\"u3.service\"")); /* no alert: no series */
}

int main(void)
{
	test_cgroup_choose();
	test_systemd();
	test_container();
	test_nspid();
	test_starttime();
	test_passwd();
	test_cmdline();
	test_escape_path();
	test_from_cgroup();
	test_unit_labels();
	test_outputs();
	test_metrics_units();
	CHECK_DONE();
}
