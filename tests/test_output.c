// SPDX-License-Identifier: GPL-2.0
/* Console, metrics.log and JSON output of an alert. */
#include <jansson.h>

#include "check.h"
#include "output.h"

static struct fw_alert sample(void)
{
	struct fw_alert a = { 0 };

	a.kind = FW_ALERT_TREE;
	a.pid = 5001;
	a.tgid = 5000;
	a.uid = 1000;
	a.child = 5002;
	a.count = 128;
	a.threshold = 128;
	a.window_count = 300;
	a.live = 140;
	a.burst_created = 400;
	a.suppressed = 7;
	a.root = 4000;
	a.syscall = FW_SYS_CLONE3;
	memcpy(a.comm, "ba,sh\x01", 6);
	return a;
}

static struct fw_report report(const struct fw_alert *a)
{
	struct fw_report r = {
		.alert = a,
		.wall = 1795321398.152356,
		.hostname = "web-1",
		.ppid = 4990,
		.root = 4242,
		.root_comm = "bash",
		.root_depth = 2,
		.tree_comm = "sshd",
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
	CHECK_CONTAINS(line, "04:23:18 ALERT tree: 128 live processes in a burst under 4242 (bash)");
	CHECK_CONTAINS(line, "threshold 128");
	CHECK_CONTAINS(line, "tree 4000 (sshd) has 140 live");
	CHECK_CONTAINS(line, "newest from 5001/5000 (ba,sh?) ppid 4990 uid 1000 via clone3");
	CHECK_CONTAINS(line, "(7 repeats suppressed)");
	CHECK(strchr(line, '\n') == NULL);

	a.kind = FW_ALERT_PROCESS;
	a.count = 5000;
	a.threshold = 5000;
	a.suppressed = 0;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "ALERT process: 5000 (ba,sh?) created 5000 processes in 1s");
	CHECK(strstr(line, "suppressed") == NULL);

	a.kind = FW_ALERT_THREADS;
	fw_format_text(&r, line, sizeof(line));
	CHECK_CONTAINS(line, "ALERT threads: 5000 (ba,sh?) created 5000 threads in 1s");
}

static void test_csv(void)
{
	struct fw_alert a = sample();
	struct fw_report r = report(&a);
	char line[1024];

	/* The original tool's five fields first, in its order. */
	CHECK(strncmp(fw_csv_header(), "timestamp,pid,tgid,hostname,subprocesses,", 41) == 0);
	fw_format_csv(&r, line, sizeof(line));
	CHECK(strncmp(line, "1795321398.152356,5001,5000,web-1,128,tree,ba?sh?,4990,1000,4242,bash,", 70) == 0);
	{
		int commas = 0, header_commas = 0;
		const char *p;

		for (p = line; *p; p++)
			commas += *p == ',';
		for (p = fw_csv_header(); *p; p++)
			header_commas += *p == ',';
		CHECK_EQ_U(commas, header_commas); /* a comma in a comm cannot shift columns */
	}
}

static void test_json(void)
{
	struct fw_alert a = sample();
	struct fw_report r = report(&a);
	json_t *j = fw_report_json(&r), *back;
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
	CHECK_STR(json_string_value(json_object_get(back, "kind")), "tree");
	CHECK_STR(json_string_value(json_object_get(back, "time")), "2026-11-22T04:23:18.152Z");
	CHECK(json_real_value(json_object_get(back, "timestamp")) > 1795321398.15);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "pid")), 5001);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "tgid")), 5000);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "ppid")), 4990);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "subprocesses")), 128);
	CHECK_EQ_U(json_integer_value(json_object_get(back, "suppressed")), 7);
	CHECK_STR(json_string_value(json_object_get(back, "hostname")), "web-1");
	CHECK_STR(json_string_value(json_object_get(back, "comm")), "ba,sh?");
	CHECK_STR(json_string_value(json_object_get(back, "syscall")), "clone3");
	CHECK_EQ_U(json_integer_value(json_object_get(json_object_get(back, "root"), "pid")), 4242);
	CHECK_EQ_U(json_integer_value(json_object_get(json_object_get(back, "root"), "depth")), 2);
	CHECK_STR(json_string_value(json_object_get(json_object_get(back, "tree"), "comm")), "sshd");
	json_decref(back);
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
	CHECK_STR(fw_alert_kind_name(FW_ALERT_THREADS), "threads");
}

int main(void)
{
	test_text();
	test_csv();
	test_json();
	test_helpers();
	CHECK_DONE();
}
