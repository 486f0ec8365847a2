// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing and the small parsers behind it. */
#include <stdlib.h>

#include "check.h"
#include "forkwatch_logic.h"
#include "options.h"
#include "tracefs.h"
#include "util.h"

static char err[512];

static enum fw_parse_result parse_v(struct fw_options *o, int argc, char **argv)
{
	FILE *out = fopen("/dev/null", "w");
	enum fw_parse_result r;

	err[0] = '\0';
	r = fw_options_parse(argc, argv, o, out, err, sizeof(err));
	fclose(out);
	return r;
}

static enum fw_parse_result parse(struct fw_options *o, const char *a1, const char *a2,
				  const char *a3)
{
	char *argv[5] = { "bcc-forkwatch", (char *)a1, (char *)a2, (char *)a3, NULL };

	return parse_v(o, 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL), argv);
}

/* Every bad value is one line, names the option and the value. */
static void bad(const char *opt, const char *val, const char *expect)
{
	struct fw_options o;

	CHECK(parse(&o, opt, val, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, expect);
	CHECK(strchr(err, '\n') == NULL);
}

static void test_defaults(void)
{
	struct fw_options o;

	CHECK(parse(&o, NULL, NULL, NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.proc_threshold, FW_DEFAULT_PROC_THRESHOLD);
	CHECK_EQ_U(o.rank, 5);
	CHECK_EQ_U(o.chain, 64);
	CHECK_EQ_U(o.spawn_max, 10000);
	CHECK_EQ_U(o.established_ns, 30000000000ULL);
	CHECK_EQ_U(o.window_ns, 1000000000ULL);
	CHECK_EQ_U(o.duration_ns, 0);
	CHECK_STR(o.log_path, "metrics.log");
	CHECK(o.mode == FW_MODE_AUTO);
	CHECK(!o.json && !o.threads && !o.list_probes);
}

static void test_values(void)
{
	struct fw_options o;

	CHECK(parse(&o, "-t", "100", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.proc_threshold, 100);
	CHECK(parse(&o, "--rank=4", "-w", "250ms") == FW_PARSE_RUN);
	CHECK_EQ_U(o.rank, 4);
	CHECK_EQ_U(o.window_ns, 250000000ULL);
	CHECK(parse(&o, "-R", "15", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.rank, 15);
	CHECK(parse(&o, "--chain", "8", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.chain, 8);
	CHECK(parse(&o, "--spawn-max", "64", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.spawn_max, 64);
	CHECK(parse(&o, "--established", "10m", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.established_ns, 600000000000ULL);
	CHECK(parse(&o, "-d", "1.5", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.duration_ns, 1500000000ULL);
	CHECK(parse(&o, "--duration", "2m", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.duration_ns, 120000000000ULL);
	CHECK(parse(&o, "--duration", "0.999999999m", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.duration_ns, 59999999940ULL);
	CHECK(parse(&o, "--threads", "--thread-threshold", "99") == FW_PARSE_RUN);
	CHECK(o.threads);
	CHECK_EQ_U(o.thread_threshold, 99);
	CHECK(parse(&o, "--probe-mode", "tracepoint", "-j") == FW_PARSE_RUN);
	CHECK(o.mode == FW_MODE_TRACEPOINT && o.json);
	CHECK(parse(&o, "--probe-mode=kprobe", NULL, NULL) == FW_PARSE_RUN);
	CHECK(o.mode == FW_MODE_KPROBE);
	CHECK(parse(&o, "--no-log", NULL, NULL) == FW_PARSE_RUN);
	CHECK(o.log_path == NULL);
	CHECK(parse(&o, "-l", "/var/log/fw.log", NULL) == FW_PARSE_RUN);
	CHECK_STR(o.log_path, "/var/log/fw.log");
	CHECK(parse(&o, "--arch-probe", "__x64_sys_clone", "--list-probes") == FW_PARSE_RUN);
	CHECK_STR(o.arch_probe, "__x64_sys_clone");
	CHECK(o.list_probes);
	CHECK(parse(&o, "--kernel-headers", "/usr/src/x", NULL) == FW_PARSE_RUN);
	CHECK_STR(o.kernel_headers, "/usr/src/x");
}

static void test_bad_values(void)
{
	struct fw_options o;

	bad("-t", "0", "invalid --threshold '0'");
	bad("-t", "-5", "invalid --threshold '-5'");
	bad("-t", "abc", "expected a whole number");
	bad("-t", "10x", "invalid --threshold");
	bad("-t", "", "invalid --threshold");
	bad("-t", "99999999999", "from 1 to 10000000");
	bad("-R", "0", "invalid --rank");
	bad("-w", "0", "invalid --window '0'");
	bad("-w", "5ms", "from 10ms to 1m");
	bad("-w", "2m", "invalid --window");
	bad("-w", "1h", "invalid --window");
	bad("-w", "-1s", "invalid --window");
	bad("-d", "0", "invalid --duration '0'");
	bad("-d", "soon", "invalid --duration");
	bad("-d", "1e3", "invalid --duration");
	bad("--probe-mode", "uprobe", "expected auto, kprobe or tracepoint");
	bad("--arch-probe", "", "invalid --arch-probe");
	bad("-l", "", "invalid --log");
	bad("--kernel-headers", "", "invalid --kernel-headers");

	CHECK(parse(&o, "--frobnicate", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "unknown option '--frobnicate'");
	CHECK(parse(&o, "-x", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "unknown option '-x'");
	/* A value on a flag: named as typed, not by its short letter. */
	CHECK(parse(&o, "--json=1", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "option '--json' takes no value");
	CHECK(parse(&o, "--kill=yes", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "option '--kill' takes no value");
	CHECK(parse(&o, "--frob=1", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "unknown option '--frob=1'");
	CHECK(parse(&o, "-t", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "needs a value");
	CHECK(parse(&o, "--window", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "'--window' needs a value");
	CHECK(parse(&o, "extra", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "unexpected argument 'extra'");
	CHECK(parse(&o, "--no-log", "-l", "x.log") == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "cannot be used together");
	CHECK(parse(&o, "--arch-probe", "x86_64", "--probe-mode=tracepoint") == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "cannot be used with --probe-mode tracepoint");
	CHECK(parse(&o, "--thread-threshold", "10", NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "needs --threads");
}

static void test_event_options(void)
{
	struct fw_options o;
	char host[64];
	uint16_t port;

	CHECK(parse(&o, NULL, NULL, NULL) == FW_PARSE_RUN);
	CHECK(!o.events && !o.opens && !o.filter_pid && !o.filter_uid && !o.comm);
	CHECK_EQ_U(o.buffer_pages, FW_DEFAULT_BUFFER_PAGES);
	CHECK(o.metrics_port == 0 && !o.metrics_textfile);
	CHECK(parse(&o, "-e", "-p", "42") == FW_PARSE_RUN);
	CHECK(o.events && o.filter_pid && o.pid == 42);
	CHECK(parse(&o, "-o", "-c", "nginx") == FW_PARSE_RUN);
	CHECK(o.opens && !o.events);
	CHECK_STR(o.comm, "nginx");
	CHECK(parse(&o, "-e", "-u", "0") == FW_PARSE_RUN);
	CHECK(o.filter_uid && o.uid == 0);
	CHECK(parse(&o, "-e", "-u", "root") == FW_PARSE_RUN); /* a name */
	CHECK(o.filter_uid && o.uid == 0);
	CHECK(parse(&o, "-e", "--buffer-pages", "256") == FW_PARSE_RUN);
	CHECK_EQ_U(o.buffer_pages, 256);
	CHECK(parse(&o, "--records", "1024", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.record_bits, 10);
	CHECK(parse(&o, "--records", "4194304", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.record_bits, 22);
	CHECK(parse(&o, "-t", "9", NULL) == FW_PARSE_RUN);
	CHECK_EQ_U(o.record_bits, FW_PROC_SLOT_BITS); /* the default */
	CHECK(parse(&o, "--metrics-addr", "9464", NULL) == FW_PARSE_RUN);
	CHECK_STR(o.metrics_host, "127.0.0.1");
	CHECK_EQ_U(o.metrics_port, 9464);
	CHECK(parse(&o, "--metrics-textfile", "/x/fw.prom", NULL) == FW_PARSE_RUN);
	CHECK_STR(o.metrics_textfile, "/x/fw.prom");
	CHECK(parse(&o, "--pid-file", "/run/fw.pid", NULL) == FW_PARSE_RUN);
	CHECK_STR(o.pid_file, "/run/fw.pid");
	CHECK(!o.syslog);
	CHECK(parse(&o, "--syslog", NULL, NULL) == FW_PARSE_RUN);
	CHECK(o.syslog && !o.pid_file);
	CHECK(parse(&o, "--syslog=1", NULL, NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "option '--syslog' takes no value");

	bad("-p", "0", "invalid --pid '0'");
	bad("-p", "12ab", "invalid --pid");
	bad("-c", "", "invalid --comm ''");
	bad("-c", "a-very-long-command-name", "1 to 15 characters");
	bad("-u", "no-such-user-fw", "not a user id or a known user name");
	bad("--buffer-pages", "3", "a power of two");
	bad("--buffer-pages", "0", "a power of two");
	bad("--buffer-pages", "131072", "a power of two from 1 to 65536");
	bad("--records", "1000", "invalid --records '1000': expected a power of two from 1024 to 4194304");
	bad("--records", "512", "a power of two from 1024");
	bad("--records", "8388608", "a power of two from 1024");
	bad("--records", "", "invalid --records ''");
	bad("--metrics-addr", "0", "expected [HOST:]PORT");
	bad("--metrics-addr", "host:", "invalid --metrics-addr");
	bad("--metrics-addr", "::1:9464", "invalid --metrics-addr"); /* v6 needs brackets */
	bad("--metrics-addr", "70000", "invalid --metrics-addr");
	bad("--metrics-textfile", "", "invalid --metrics-textfile");
	bad("--pid-file", "", "invalid --pid-file ''");
	CHECK(parse(&o, "-p", "1", NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "add --events or --opens");
	CHECK(parse(&o, "--buffer-pages", "8", NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "add --events or --opens");

	CHECK(fw_parse_listen("[::1]:9100", host, sizeof(host), &port) == 0);
	CHECK_STR(host, "::1");
	CHECK_EQ_U(port, 9100);
	CHECK(fw_parse_listen("0.0.0.0:80", host, sizeof(host), &port) == 0);
	CHECK_STR(host, "0.0.0.0");
	CHECK(fw_parse_listen("localhost:3000", host, sizeof(host), &port) == 0);
	CHECK_STR(host, "localhost");
	CHECK_EQ_U(port, 3000);
	CHECK(fw_parse_listen("[::1]", host, sizeof(host), &port) < 0);
	CHECK(fw_parse_listen("[]:80", host, sizeof(host), &port) < 0);
	CHECK(fw_parse_listen(":80", host, sizeof(host), &port) < 0);
	CHECK(fw_parse_listen("", host, sizeof(host), &port) < 0);
}

static void test_help(void)
{
	char *argv[] = { "bcc-forkwatch", "--help", NULL };
	char buf[16384] = "";
	struct fw_options o;
	FILE *out = fmemopen(buf, sizeof(buf) - 1, "w");

	CHECK(fw_options_parse(2, argv, &o, out, err, sizeof(err)) == FW_PARSE_EXIT_OK);
	fclose(out);
	CHECK_CONTAINS(buf, "Usage: bcc-forkwatch");
	CHECK_CONTAINS(buf, "Examples:");
	CHECK_CONTAINS(buf, "--arch-probe");
	CHECK_CONTAINS(buf, "Exit status:");
	CHECK(parse(&o, "-V", NULL, NULL) == FW_PARSE_EXIT_OK);
}

static void test_parsers(void)
{
	CHECK(fw_kernel_at_least("5.3.0", 5, 3));
	CHECK(fw_kernel_at_least("6.18.44-fc-v1045", 5, 3));
	CHECK(!fw_kernel_at_least("5.2.21-1-amd64", 5, 3));
	CHECK(!fw_kernel_at_least("4.19.0-27-amd64", 5, 3));
	CHECK(fw_kernel_at_least("garbage", 5, 3));
	uint64_t v;
	int cpus[8];

	CHECK(fw_parse_uint("42", 1, 100, &v) == 0 && v == 42);
	CHECK(fw_parse_uint("+42", 1, 100, &v) < 0);
	CHECK(fw_parse_uint(" 42", 1, 100, &v) < 0);
	CHECK(fw_parse_uint("101", 1, 100, &v) < 0);
	CHECK(fw_parse_uint("18446744073709551616", 0, UINT64_MAX, &v) < 0);
	CHECK(fw_parse_duration("1.25s", UINT64_MAX, &v) == 0 && v == 1250000000ULL);
	CHECK(fw_parse_duration("10ms", UINT64_MAX, &v) == 0 && v == 10000000ULL);
	CHECK(fw_parse_duration("0.001", UINT64_MAX, &v) == 0 && v == 1000000ULL);
	CHECK(fw_parse_duration(".5", UINT64_MAX, &v) < 0);
	CHECK(fw_parse_duration("1.", UINT64_MAX, &v) < 0);
	CHECK(fw_parse_duration("0.0000000001", UINT64_MAX, &v) < 0);
	CHECK(fw_parse_duration("99999999999999999999", UINT64_MAX, &v) < 0);
	/* Nine decimals of a minute: the fraction times the unit overflowed
	 * 64 bits (found by tests/fuzz/fuzz_option_values: 64.7 s). */
	CHECK(fw_parse_duration("1.999982200m", UINT64_MAX, &v) == 0 && v == 119998932000ULL);
	CHECK(fw_parse_duration("0.999999999m", UINT64_MAX, &v) == 0 && v == 59999999940ULL);
	CHECK(fw_parse_duration("1.234567891ms", UINT64_MAX, &v) == 0 && v == 1234567ULL);
	/* And past the largest whole minutes, the sum wrapped to 2.3 s. */
	CHECK(fw_parse_duration("307445734.6m", UINT64_MAX, &v) < 0);
	CHECK(fw_parse_duration("307445734.5m", UINT64_MAX, &v) == 0 &&
	      v == 307445734ULL * 60000000000ULL + 30000000000ULL);
	{
		char b[32];

		fw_format_duration(1000000000ULL, b, sizeof(b));
		CHECK_STR(b, "1s");
		fw_format_duration(250000000ULL, b, sizeof(b));
		CHECK_STR(b, "250ms");
		fw_format_duration(1500000000ULL, b, sizeof(b));
		CHECK_STR(b, "1.500s");
	}
	CHECK(fw_parse_cpulist("0-1\n", cpus, 8) == 2 && cpus[1] == 1);
	CHECK(fw_parse_cpulist("0,2-4,7", cpus, 8) == 5 && cpus[4] == 7);
	CHECK(fw_parse_cpulist("0-9", cpus, 8) == -1);
	CHECK(fw_parse_cpulist("3-1", cpus, 8) == -1);
	CHECK(fw_parse_cpulist("a", cpus, 8) == -1);
	/* A CPU number no int holds: it came back negative, and at LONG_MAX
	 * the range loop overflowed (found by tests/fuzz/fuzz_procfs). */
	CHECK(fw_parse_cpulist("2147483648", cpus, 8) == -1);
	CHECK(fw_parse_cpulist("2147483646-2147483648", cpus, 8) == -1);
	CHECK(fw_parse_cpulist("9223372036854775807", cpus, 8) == -1);
	CHECK(fw_parse_cpulist("2147483647", cpus, 8) == 1 && cpus[0] == 2147483647);
}

static void test_format_fields(void)
{
	/* sched_process_exit on 6.18 (with group_dead) and on 6.1 (without). */
	static const char f618[] =
		"name: sched_process_exit\nID: 300\nformat:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
		"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
		"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
		"\tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;\n\n"
		"print fmt: \"comm=%s pid=%d prio=%d group_dead=%s\"\n";
	static const char f61[] =
		"name: sched_process_exit\nformat:\n"
		"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
		"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
		"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n\n"
		"print fmt: \"comm=%s pid=%d prio=%d group_dead\"\n";

	CHECK(fw_format_has_field(f618, "group_dead"));
	CHECK(fw_format_has_field(f618, "comm"));
	CHECK(fw_format_has_field(f618, "pid"));
	CHECK(!fw_format_has_field(f61, "group_dead")); /* only in print fmt */
	CHECK(!fw_format_has_field(f618, "dead"));
	CHECK(!fw_format_has_field("", "pid"));

	/* task_newtask's comm as the probe reads it: a 16-byte array. */
	CHECK(fw_format_has_decl(f618, "char comm[16]"));
	CHECK(fw_format_has_decl(f618, "bool group_dead"));
	CHECK(!fw_format_has_decl(f618, "char comm[8]"));
	CHECK(!fw_format_has_decl(f618, "char comm"));
	CHECK(!fw_format_has_decl(f618, "comm[16]"));
	CHECK(!fw_format_has_decl("\tfield:__data_loc char[] comm;\toffset:12;\n", "char comm[16]"));
	CHECK(!fw_format_has_decl("", "char comm[16]"));
}

static void test_containment_options(void)
{
	struct fw_options o;
	char *many[] = { "bcc-forkwatch", "--kill", "--allow", "comm:make", "--allow", "uid:0",
			 "--allow", "user:root", "--allow", "cgroup:/system.slice",
			 "--limit", "bash=200", "--limit", "sh=0", "-R", "6", NULL };
	char *dup[] = { "bcc-forkwatch", "--limit", "sh=3", "--limit", "sh=4", NULL };

	/* Off by default; --kill acts on the alerts' verdicts; thread storms
	 * are killed at twice the thread alert's threshold. */
	CHECK(parse(&o, NULL, NULL, NULL) == FW_PARSE_RUN);
	CHECK(!fw_containment(&o));
	CHECK(parse(&o, "--kill", NULL, NULL) == FW_PARSE_RUN);
	CHECK(o.kill && !o.dry_run);
	CHECK_EQ_U(o.kill_thread, 512);
	/* --dry-run alone is --kill without signals. */
	CHECK(parse(&o, "--dry-run", NULL, NULL) == FW_PARSE_RUN);
	CHECK(o.kill && o.dry_run && fw_containment(&o));
	CHECK(parse_v(&o, 16, many) == FW_PARSE_RUN);
	CHECK_EQ_U(o.n_allow_comm, 1);
	CHECK_STR(o.allow_comm[0], "make");
	CHECK_EQ_U(o.n_allow_uid, 2);
	CHECK_EQ_U(o.allow_uid[1], 0);
	CHECK_EQ_U(o.n_allow_cgroup, 1);
	CHECK_STR(o.allow_cgroup[0], "/system.slice");
	CHECK_EQ_U(o.n_limits, 2);
	CHECK_STR(o.limits[0].comm, "bash");
	CHECK_EQ_U(o.limits[0].children, 200);
	CHECK_EQ_U(o.limits[1].children, 0);
	CHECK_EQ_U(o.rank, 6);
	/* --limit alone enforces limits, thresholds stay unarmed. */
	CHECK(parse(&o, "--limit", "x=1", NULL) == FW_PARSE_RUN);
	CHECK(!o.kill && fw_containment(&o));

	CHECK(parse_v(&o, 5, dup) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "sh has a limit already");
	/* The options of the old model say what replaced them. */
	CHECK(parse(&o, "--kill", "--kill-threshold", "300") == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "--kill-threshold was removed");
	CHECK(parse(&o, "-T", "64", NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "-T/--tree-threshold was removed");
	CHECK(parse(&o, "--tree-threshold", "64", NULL) == FW_PARSE_ERROR);
	CHECK(parse(&o, "--allow", "comm:make", NULL) == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "add --kill, --dry-run or --limit");
	CHECK(parse(&o, "--kill", "--allow", "pid:1") == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "expected comm:NAME, uid:UID, user:NAME or cgroup:PATH");
	CHECK(parse(&o, "--kill", "--allow", "comm:") == FW_PARSE_ERROR);
	CHECK(parse(&o, "--kill", "--allow", "comm:0123456789abcdef") == FW_PARSE_ERROR);
	CHECK(parse(&o, "--kill", "--allow", "user:no-such-user-here") == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "not a user id or a known user name");
	CHECK(parse(&o, "--kill", "--allow", "cgroup:system.slice") == FW_PARSE_ERROR);
	CHECK_CONTAINS(err, "absolute path");
	bad("--limit", "bash", "invalid --limit 'bash'");
	bad("--limit", "=5", "expected COMM=N");
	bad("--limit", "bash=-1", "invalid --limit");
	bad("--limit", "bash=x", "invalid --limit");
	bad("--limit", "0123456789abcdef=1", "invalid --limit");
	bad("--rank", "2", "invalid --rank '2': expected a whole number from 3 to 15");
	bad("--rank", "16", "invalid --rank '16'");
	bad("--rank", "five", "invalid --rank 'five'");
	bad("--chain", "7", "invalid --chain '7'");
	bad("--spawn-max", "63", "invalid --spawn-max '63'");
	bad("--established", "0.5s", "invalid --established '0.5s'");
	bad("--established", "2d", "invalid --established '2d'");
	bad("--established", "1441m", "from 1s to 1440m (a day)");
	bad("--thread-threshold", "0", "invalid --thread-threshold '0': expected a whole number from 1 to 10000000");
}

int main(void)
{
	test_containment_options();
	test_defaults();
	test_values();
	test_bad_values();
	test_event_options();
	test_help();
	test_parsers();
	test_format_fields();
	CHECK_DONE();
}
