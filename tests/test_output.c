// SPDX-License-Identifier: GPL-2.0
/* Console, metrics.log and JSON output of an alert. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "metrics.h"
#include "output.h"

static struct fw_alert sample(void)
{
	struct fw_alert a = { 0 };

	a.ts_ns = 5000000000ULL;
	a.kind = FW_RULE_REPLICATOR;
	a.action = FW_ACT_REPORT;
	a.pid = 5001;
	a.tgid = 5000;
	a.uid = 1000;
	a.child = 5002;
	a.count = 5;
	a.threshold = 5;
	a.rank = 5;
	a.strong = 2;
	a.window_count = 30;
	a.suppressed = 7;
	a.root = 4242;
	a.root_ppid = 4000;
	a.root_start_ns = 4900000000ULL;
	a.whole = 1;
	a.syscall = FW_SYS_CLONE3;
	memcpy(a.comm, "ba,sh\x01", 6);
	memcpy(a.root_comm, "bash", 5);
	return a;
}

static struct fw_report report(const struct fw_alert *a)
{
	struct fw_report r = {
		.alert = a,
		.wall = 1795321398.152356,
		.hostname = "web-1",
		.ppid = 4990,
		.root_comm = "bash",
		.members = 57,
		.window_ns = 1000000000ULL,
	};
	return r;
}

static void test_text(void)
{
	struct fw_alert a = sample();
	struct fw_report r = report(&a);
	char line[1024];

	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "04:23:18 ALERT replicator: root 4242 (bash) [its copies make copies: "
			     "branching rank 5 (rule 5) with 2 live lines replicating; 57 live in "
			     "its lineage]");
	CHECK_CONTAINS(line, "newest from 5001/5000 (ba,sh?) ppid 4990 uid 1000 via clone3");
	CHECK_CONTAINS(line, "(7 repeats suppressed)");
	CHECK(strstr(line, "kill") == NULL); /* no containment: nothing said of it */
	CHECK(strchr(line, '\n') == NULL);

	/* Under --kill: what it does is on the same line. */
	a.action = FW_ACT_KILL;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "; killing the root and its lineage");
	a.whole = 0;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "killing what it made in the episode (the root is established)");
	a.action = FW_ACT_SPARED;
	a.spared = FW_SPARED_ESTABLISHED;
	a.kind = FW_RULE_SPAWNER;
	a.kids_live = 512;
	a.fails = 3;
	a.threshold = FW_SPAWN_MIN;
	a.root_start_ns = 0;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "ALERT spawner: root 4242 (bash) [512 live children and its creations "
			     "fail (3 in 1s): a limit binds it]");
	CHECK_CONTAINS(line, "not killed: an established process (its program ran unknown (it "
			     "started before the tool) before)");
	a.spared = FW_SPARED_PROTECTED;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "not killed: exempt (protected)");

	a = sample();
	a.kind = FW_RULE_CHAIN;
	a.count = 70;
	a.threshold = 64;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "ALERT chain: root 4242 (bash) [a line of copies each starting the next: "
			     "70 generations in 1s (rule 64); 57 live in its lineage]");
	a.kind = FW_RULE_RATE;
	a.count = 5000;
	a.threshold = 5000;
	a.suppressed = 0;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "ALERT rate: root 4242 (bash) [5000 processes created in 1s (rule 5000; "
			     "reported and never killed)]");
	CHECK(strstr(line, "suppressed") == NULL);
	a.kind = FW_RULE_THREADS;
	a.kids_live = 4000;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "ALERT threads: root 4242 (bash) [5000 threads created in 1s (rule 5000); "
			     "4000 live]");
}

/* Splits a CSV line, double quotes and all. Returns the number of fields. */
static int csv_fields(const char *line, char fields[][256], int max)
{
	int n = 0, q = 0;
	size_t o = 0;

	for (; *line && n < max; line++) {
		if (q && *line == '"' && line[1] == '"') {
			fields[n][o++] = '"';
			line++;
		} else if (*line == '"') {
			q = !q;
		} else if (*line == ',' && !q) {
			fields[n][o] = '\0';
			n++;
			o = 0;
		} else if (o < 255) {
			fields[n][o++] = *line;
		}
	}
	fields[n][o] = '\0';
	return n + 1;
}

static void test_csv(void)
{
	struct fw_alert a = sample();
	struct fw_report r = report(&a);
	char line[1024], head[40][256], f[40][256];
	int nh, nf;

	/* The original tool's five fields first, in its order. */
	CHECK(strncmp(fw_csv_header(), "timestamp,pid,tgid,hostname,subprocesses,", 41) == 0);
	nh = csv_fields(fw_csv_header(), head, 40);
	fw_format_csv(&r, line, sizeof(line));
	CHECK(strncmp(line, "1795321398.152356,5001,5000,web-1,57,alert,replicator,ba?sh?,4990,1000,"
			    "4242,bash,5,5,clone3,7,report,,,\"its copies make copies", 117) == 0);
	nf = csv_fields(line, f, 40);
	CHECK_EQ_U(nf, nh); /* a comma in a comm cannot shift columns */
	CHECK(strchr(f[19], ',') == NULL); /* the why splits on commas too */
	CHECK_STR(head[19], "why"); /* the last of the columns before the context's */
	CHECK_STR(head[nh - 1], "context_pid");
	CHECK_CONTAINS(f[19], "branching rank 5");
	/* A spawner's subprocesses are its live children. */
	a.kind = FW_RULE_SPAWNER;
	a.kids_live = 900;
	fw_format_csv(&r, line, sizeof(line));
	csv_fields(line, f, 40);
	CHECK_STR(f[4], "900");
}

static void test_json(void)
{
	struct fw_alert a = sample();
	struct fw_report r = report(&a);
	json_t *j = fw_report_json(&r), *back, *root, *ev;
	json_error_t e;
	char *text;

	CHECK(j != NULL);
	if (!j)
		return;
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	CHECK(text && strchr(text, '\n') == NULL);
	back = json_loads(text, 0, &e);
	free(text);
	CHECK(back != NULL);
	if (!back)
		return;
	CHECK_STR(json_string_value(json_object_get(back, "event")), "alert");
	CHECK_STR(json_string_value(json_object_get(back, "kind")), "replicator");
	CHECK_STR(json_string_value(json_object_get(back, "rule")), "replicator");
	CHECK_CONTAINS(json_string_value(json_object_get(back, "why")), "branching rank 5");
	CHECK_STR(json_string_value(json_object_get(back, "time")), "2026-11-22T04:23:18.152Z");
	CHECK(json_real_value(json_object_get(back, "timestamp")) > 1795321398.15);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "pid")), 5001);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "tgid")), 5000);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "ppid")), 4990);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "subprocesses")), 57);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "figure")), 5);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "suppressed")), 7);
	CHECK_STR(json_string_value(json_object_get(back, "action")), "report");
	CHECK_STR(json_string_value(json_object_get(back, "hostname")), "web-1");
	CHECK_STR(json_string_value(json_object_get(back, "comm")), "ba,sh?");
	CHECK_STR(json_string_value(json_object_get(back, "syscall")), "clone3");
	root = json_object_get(back, "root");
	CHECK_EQ_U(json_integer_value(json_object_get(root, "pid")), 4242);
	CHECK_EQ_U(json_integer_value(json_object_get(root, "ppid")), 4000);
	CHECK_STR(json_string_value(json_object_get(root, "comm")), "bash");
	CHECK(json_is_true(json_object_get(root, "whole")));
	CHECK(json_real_value(json_object_get(root, "age_s")) > 0.099 &&
	      json_real_value(json_object_get(root, "age_s")) < 0.101);
	ev = json_object_get(back, "evidence");
	CHECK_EQ_U(json_integer_value(json_object_get(ev, "rank")), 5);
	CHECK_EQ_U(json_integer_value(json_object_get(ev, "strong")), 2);
	CHECK_EQ_U(json_integer_value(json_object_get(ev, "members")), 57);
	json_decref(back);
	/* A root older than the tool: its age is unknown, not zero. */
	a.root_start_ns = 0;
	j = fw_report_json(&r);
	CHECK(json_is_null(json_object_get(json_object_get(j, "root"), "age_s")));
	json_decref(j);
}

static void test_helpers(void)
{
	char buf[64];

	fw_format_rfc3339(0.0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00.000Z");
	fw_format_rfc3339(1700000000.9999, buf, sizeof(buf));
	CHECK_STR(buf, "2023-11-14T22:13:20.999Z");
	fw_clean_comm("\xff\xfe", 2, 0, buf, sizeof(buf));
	CHECK_STR(buf, "??"); /* never invalid UTF-8 in JSON */
	fw_clean_comm("", 16, 0, buf, sizeof(buf));
	CHECK_STR(buf, "?");
	CHECK_STR(fw_rule_name(FW_RULE_THREADS), "threads");
	CHECK_STR(fw_rule_name(FW_RULE_REPLICATOR), "replicator");
	CHECK_STR(fw_rule_name(99), "unknown");
	CHECK_STR(fw_kill_reason_name(FW_KILL_LINEAGE), "lineage");
	CHECK_STR(fw_kill_reason_name(FW_RULE_CHAIN), "chain");
	CHECK_STR(fw_action_name(FW_ACT_DRY_RUN), "dry-run");
}

static void test_events(void)
{
	struct fw_task_event t = { 0 };
	struct fw_open_event o = { 0 };
	char line[2048];
	json_t *j;

	t.type = FW_EVENT_PROCESS;
	t.pid = t.tid = 4243;
	t.ppid = 4242;
	t.uid = 1000;
	t.syscall = FW_SYS_CLONE;
	memcpy(t.comm, "bash", 4);
	fw_format_task_event(&t, 1795321398.152, 4242, line, sizeof(line));
	CHECK_STR(line, "04:23:18.152 process 4243    4242    4243    1000   bash             clone");
	CHECK(strncmp(fw_events_header(), "TIME(UTC)    EVENT   PID     PPID    TID", 40) == 0);
	t.type = FW_EVENT_THREAD;
	t.tid = 4250;
	fw_format_task_event(&t, 1795321398.152, 0, line, sizeof(line));
	CHECK_CONTAINS(line, "thread  4243    ?       4250"); /* parent unknown: ? */
	j = fw_task_event_json(&t, 1795321398.152, 77);
	CHECK_STR(json_string_value(json_object_get(j, "event")), "thread");
	CHECK_EQ_U(json_integer_value(json_object_get(j, "tid")), 4250);
	CHECK_EQ_U(json_integer_value(json_object_get(j, "tgid")), 4243);
	CHECK_EQ_U(json_integer_value(json_object_get(j, "ppid")), 77);
	json_decref(j);

	o.type = FW_EVENT_OPEN;
	o.pid = o.tid = 99;
	o.ret = -2;
	o.flags = O_RDONLY | O_CLOEXEC;
	o.call = FW_OPEN_OPENAT;
	memcpy(o.comm, "cat", 3);
	snprintf(o.path, sizeof(o.path), "/etc/a\nb\x01");
	fw_format_open_event(&o, 0.5, line, sizeof(line));
	CHECK_STR(line, "00:00:00.500 open    99      -       99      0      cat              -ENOENT "
			"O_RDONLY|O_CLOEXEC /etc/a\\x0ab\\x01");
	o.path_status = FW_PATH_TRUNCATED;
	o.ret = 3;
	fw_format_open_event(&o, 0.5, line, sizeof(line));
	CHECK_CONTAINS(line, " 3 O_RDONLY|O_CLOEXEC ");
	CHECK(strstr(line, "[truncated]") != NULL);
	j = fw_open_event_json(&o, 0.5);
	CHECK(json_is_true(json_object_get(j, "truncated")));
	CHECK_STR(json_string_value(json_object_get(j, "path")), "/etc/a\nb\x01"); /* JSON escapes it */
	CHECK_STR(json_string_value(json_object_get(j, "call")), "openat");
	json_decref(j);
	memcpy(o.path, "/bad\xff", 6); /* not UTF-8: escaped text instead of a failed dump */
	o.path[6] = 0;
	j = fw_open_event_json(&o, 0.5);
	CHECK_STR(json_string_value(json_object_get(j, "path")), "/bad\\xff");
	json_decref(j);

	fw_format_open_flags(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, line, sizeof(line));
	CHECK_STR(line, "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
	fw_format_open_flags(O_RDWR | O_TMPFILE, line, sizeof(line));
	CHECK_STR(line, "O_RDWR|O_TMPFILE");
	fw_format_open_flags(O_RDONLY | O_DIRECTORY | 0x40000000ULL, line, sizeof(line));
	CHECK_STR(line, "O_RDONLY|O_DIRECTORY|0x40000000");
	fw_format_open_flags(O_RDONLY | O_SYNC, line, sizeof(line));
	CHECK_STR(line, "O_RDONLY|O_SYNC");
}

static void test_metrics(void)
{
	struct fw_metrics m = { 0 };
	char *buf = malloc(65536), small[64];
	int n;

	m.stats[FW_STAT_CALLS + FW_SYS_CLONE] = 5;
	m.stats[FW_STAT_CALLS + FW_SYS_VFORK] = 2;
	m.stats[FW_STAT_OPENS] = 9;
	m.stats[FW_STAT_PROCS_BY + FW_SYS_VFORK] = 2;
	m.stats[FW_STAT_ALERTS + FW_RULE_REPLICATOR] = 1;
	m.stats[FW_STAT_FAILED] = 6;
	m.stats[FW_STAT_EV_LOST] = 4;
	m.tracked_processes = 3;
	m.version = "0.1.0";
	m.mode = "trace\"point";
	m.probes = "a\\b";
	m.start_time = 1700000000.5;
	m.opens_counted = 1;
	m.calls_counted = 1;
	n = fw_metrics_render(&m, buf, 65536);
	CHECK(n > 0 && (size_t)n == strlen(buf));
	CHECK_CONTAINS(buf, "# TYPE sys_clone_calls_total counter\nsys_clone_calls_total 7\n");
	CHECK_CONTAINS(buf, "\nsys_openat_calls_total 9\n");
	CHECK_CONTAINS(buf, "forkwatch_tasks_created_total{kind=\"process\",syscall=\"vfork\"} 2\n");
	CHECK_CONTAINS(buf, "forkwatch_alerts_total{kind=\"replicator\"} 1\n");
	CHECK_CONTAINS(buf, "forkwatch_alerts_total{kind=\"spawner\"} 0\n");
	CHECK_CONTAINS(buf, "\nforkwatch_creations_failed_total 6\n");
	CHECK_CONTAINS(buf, "forkwatch_lost_samples_total{buffer=\"events\"} 4\n");
	CHECK_CONTAINS(buf, "forkwatch_tracked_processes 3\n");
	CHECK_CONTAINS(buf, "mode=\"trace\\\"point\",probes=\"a\\\\b\",containment=\"off\"} 1\n");
	CHECK(buf[n - 1] == '\n');
	CHECK(strstr(buf, "forkwatch_kills_total") == NULL); /* containment off: none of its families */
	/* Containment: kills by reason, sweeps, dooms, spared by cause. */
	m.containment = "kill";
	m.sweep_kills = 250;
	m.stats[FW_STAT_KILLS + FW_KILL_LINEAGE] = 40;
	m.stats[FW_STAT_DOOMED] = 2;
	m.stats[FW_STAT_SPARED + FW_SPARED_PROTECTED] = 3;
	m.stats[FW_STAT_KILLS_FAILED] = 1;
	fw_metrics_render(&m, buf, 65536);
	CHECK_CONTAINS(buf, "forkwatch_kills_total{reason=\"lineage\"} 40\n");
	CHECK_CONTAINS(buf, "forkwatch_kills_total{reason=\"replicator\"} 0\n");
	CHECK(strstr(buf, "forkwatch_kills_total{reason=\"rate\"}") == NULL); /* rate never kills */
	CHECK_CONTAINS(buf, "forkwatch_kills_spared_total{cause=\"established\"} 0\n");
	CHECK_CONTAINS(buf, "\nforkwatch_sweep_kills_total 250\n");
	CHECK_CONTAINS(buf, "\nforkwatch_lineages_doomed_total 2\n");
	CHECK_CONTAINS(buf, "forkwatch_kills_spared_total{cause=\"protected\"} 3\n");
	CHECK_CONTAINS(buf, "forkwatch_kills_spared_total{cause=\"allow_cgroup\"} 0\n");
	CHECK_CONTAINS(buf, "\nforkwatch_kills_failed_total 1\n");
	CHECK_CONTAINS(buf, "containment=\"kill\"} 1\n");
	m.opens_counted = 0; /* no open probes: no open counters at all, not zeros */
	fw_metrics_render(&m, buf, 65536);
	CHECK(strstr(buf, "sys_openat_calls_total") == NULL);
	/* No entry probes: the calls are the tasks made and the failures seen,
	 * and nothing is broken down by syscall. */
	m.calls_counted = 0;
	m.stats[FW_STAT_PROCS] = 10;
	m.stats[FW_STAT_THREADS] = 4;
	fw_metrics_render(&m, buf, 65536);
	CHECK_CONTAINS(buf, "\nsys_clone_calls_total 20\n");
	CHECK(strstr(buf, "forkwatch_syscall_calls_total") == NULL);
	CHECK(fw_metrics_render(&m, small, sizeof(small)) == -1);
	free(buf);
}

static void test_kill_output(void)
{
	struct fw_alert a = sample();
	struct fw_report r;
	char line[1024], f[40][256];
	json_t *j;

	/* The verdict that named 4242 a replicator's root, contained. */
	a.action = FW_ACT_KILL;
	r = report(&a);
	r.is_kill = 1;
	r.killed_kernel = 700;
	r.killed_sweep = 12;
	r.took_ms = 143.4;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "KILLED replicator: root 4242 (bash) and its lineage: 712 killed (probe "
			     "700, sweep 12) in 143 ms [its copies make copies: branching rank 5 (rule "
			     "5) with 2 live lines replicating]; named by 5001/5000 (ba,sh?)");
	fw_format_csv(&r, line, sizeof(line));
	csv_fields(line, f, 40);
	CHECK_STR(f[5], "kill");
	CHECK_STR(f[6], "replicator");
	CHECK_STR(f[10], "4242");
	CHECK_STR(f[17], "712");
	CHECK_STR(f[18], "143");
	j = fw_report_json(&r);
	CHECK_STR(json_string_value(json_object_get(j, "event")), "kill");
	CHECK_STR(json_string_value(json_object_get(j, "rule")), "replicator");
	CHECK_EQ_U(json_integer_value(json_object_get(j, "killed")), 712);
	CHECK(json_is_false(json_object_get(j, "dry_run")));
	CHECK_EQ_U(json_integer_value(json_object_get(json_object_get(j, "root"), "pid")), 4242);
	CHECK(json_is_true(json_object_get(json_object_get(j, "root"), "whole")));
	json_decref(j);

	r.dry_run = 1;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "DRY-RUN replicator: root 4242 (bash) and its lineage: 712 would be "
			     "killed");
	fw_format_csv(&r, line, sizeof(line));
	csv_fields(line, f, 40);
	CHECK_STR(f[5], "dry-run");

	/* An established root keeps its life and what it made before. */
	a.whole = 0;
	r.dry_run = 0;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "KILLED replicator: what 4242 (bash) made in the episode: 712 killed");
	j = fw_report_json(&r);
	CHECK(json_is_false(json_object_get(json_object_get(j, "root"), "whole")));
	json_decref(j);

	/* One process: a limit, with no lineage. */
	a.kind = FW_RULE_LIMIT;
	a.count = 6;
	a.threshold = 5;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "KILLED limit: 5000 (");
	CHECK_CONTAINS(line, "[6 children created; limit 5]");
	CHECK_STR(fw_spared_name(FW_SPARED_INIT), "init");
	CHECK_STR(fw_spared_name(FW_SPARED_ESTABLISHED), "established");
	/* Alert lines keep the two kill columns, empty. */
	a = sample();
	r = report(&a);
	fw_format_csv(&r, line, sizeof(line));
	csv_fields(line, f, 40);
	CHECK_STR(f[17], "");
	CHECK_STR(f[18], "");
}

int main(void)
{
	test_kill_output();
	test_events();
	test_metrics();
	test_text();
	test_csv();
	test_json();
	test_helpers();
	CHECK_DONE();
}
