// SPDX-License-Identifier: GPL-2.0
/* What a SIGKILLed instance leaves: libbcc's legacy kprobe events, named
 * <event>_bcc_<pid>, as kprobe_events lists them, and the pid-suffixed
 * temporary files; and the one line the start prints about them. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "stale.h"

static void test_kprobe_lines(void)
{
	char ev[128];
	int pid = 0;

	CHECK(fw_stale_kprobe_line("p:kprobes/p___x64_sys_clone_bcc_1234 __x64_sys_clone\n", ev,
				   sizeof(ev), &pid) == 0);
	CHECK_STR(ev, "kprobes/p___x64_sys_clone_bcc_1234");
	CHECK_EQ_U(pid, 1234);
	/* A return probe with maxactive, as kprobe_events prints it. */
	CHECK(fw_stale_kprobe_line("r16:kprobes/r_do_sys_openat2_bcc_77 do_sys_openat2", ev, sizeof(ev),
				   &pid) == 0);
	CHECK_STR(ev, "kprobes/r_do_sys_openat2_bcc_77");
	CHECK_EQ_U(pid, 77);
	/* The last _bcc_ holds the pid, whatever the symbol holds. */
	CHECK(fw_stale_kprobe_line("p:kprobes/p_x_bcc_y_bcc_9 x_bcc_y", ev, sizeof(ev), &pid) == 0);
	CHECK_EQ_U(pid, 9);
	/* Not libbcc's: another group, no pid, a pid with more after it, a
	 * leading zero, no name before the tag, too big, not a probe line. */
	CHECK(fw_stale_kprobe_line("p:perf/p_sys_clone_bcc_12 sys_clone", ev, sizeof(ev), &pid) < 0);
	CHECK(fw_stale_kprobe_line("p:kprobes/myprobe do_fork", ev, sizeof(ev), &pid) < 0);
	CHECK(fw_stale_kprobe_line("p:kprobes/p_a_bcc_12x a", ev, sizeof(ev), &pid) < 0);
	CHECK(fw_stale_kprobe_line("p:kprobes/p_a_bcc_012 a", ev, sizeof(ev), &pid) < 0);
	CHECK(fw_stale_kprobe_line("p:kprobes/_bcc_12 a", ev, sizeof(ev), &pid) < 0);
	CHECK(fw_stale_kprobe_line("p:kprobes/p_a_bcc_99999999999 a", ev, sizeof(ev), &pid) < 0);
	CHECK(fw_stale_kprobe_line("p:kprobes/p_a_bcc_ a", ev, sizeof(ev), &pid) < 0);
	CHECK(fw_stale_kprobe_line("-:kprobes/p_a_bcc_1", ev, sizeof(ev), &pid) < 0);
	CHECK(fw_stale_kprobe_line("", ev, sizeof(ev), &pid) < 0);
	/* An event name longer than the buffer is refused, not cut. */
	CHECK(fw_stale_kprobe_line("p:kprobes/p_abcdefgh_bcc_1 a", ev, 12, &pid) < 0);
}

static void test_tmp_names(void)
{
	CHECK_EQ_U(fw_stale_tmp_pid("metrics.prom.tmp.4321", "metrics.prom", false), 4321);
	CHECK(fw_stale_tmp_pid("metrics.prom", "metrics.prom", false) < 0);
	CHECK(fw_stale_tmp_pid("metrics.prom.tmp.", "metrics.prom", false) < 0);
	CHECK(fw_stale_tmp_pid("metrics.prom.tmp.12a", "metrics.prom", false) < 0);
	/* Exact: another file's temporary is not ours. */
	CHECK(fw_stale_tmp_pid("metrics.prom.old.tmp.12", "metrics.prom", false) < 0);
	CHECK(fw_stale_tmp_pid("other.prom.tmp.12", "metrics.prom", false) < 0);
	/* The merged header trees: a prefix and a name. */
	CHECK_EQ_U(fw_stale_tmp_pid("ksrc-linux-headers-6.1.0-57-amd64.tmp.88", "ksrc-", true), 88);
	CHECK(fw_stale_tmp_pid("ksrc-linux-headers-6.1.0-57-amd64", "ksrc-", true) < 0);
	CHECK(fw_stale_tmp_pid("ksrc-.tmp.88", "ksrc-", true) < 0);
	CHECK(fw_stale_tmp_pid("other.tmp.88", "ksrc-", true) < 0);
	CHECK(fw_stale_tmp_pid("x.tmp.1", "", false) < 0);
}

static void test_describe(void)
{
	struct fw_stale_report r = { 0 };
	char line[256];

	fw_stale_describe(&r, line, sizeof(line));
	CHECK_STR(line, "");
	r = (struct fw_stale_report){ .removed = 4, .pids = { 1234 }, .npids = 1 };
	fw_stale_describe(&r, line, sizeof(line));
	CHECK_STR(line, "left by pid 1234 (no longer running): 4 kprobe events removed");
	r = (struct fw_stale_report){ .removed = 1, .busy = 2, .files = 1, .pids = { 5, 6 }, .npids = 2 };
	fw_stale_describe(&r, line, sizeof(line));
	CHECK_STR(line, "left by pid 5, 6 (no longer running): 1 kprobe event removed, 2 kprobe events "
			"still attached, left, 1 temporary file removed");
	/* A short buffer is cut, never overrun. */
	fw_stale_describe(&r, line, 10);
	CHECK_EQ_U(strlen(line), 9);
}

int main(void)
{
	test_kprobe_lines();
	test_tmp_names();
	test_describe();
	CHECK_DONE();
}
