// SPDX-License-Identifier: GPL-2.0
/* Seeds for fuzz_perf_records: records as the probe sends them, built from
 * the structs in probes/forkwatch_logic.h, so that they follow the layout
 * when it changes (the build writes them beside the committed ones). Each
 * file is the harness's buffer byte (0 alerts, 1 events), then the record.
 * Usage: fw-fuzz-perf-seeds DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forkwatch_logic.h"

static const char *dir;

static void put(const char *name, unsigned char buffer, const void *rec, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fputc(buffer, f) == EOF || fwrite(rec, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct fw_alert a = {
		.ts_ns = 5012345678901ULL, .kind = FW_RULE_REPLICATOR, .action = FW_ACT_REPORT,
		.pid = 41230, .tgid = 41230, .ppid = 41188, .uid = 1000, .child = 41231,
		.syscall = FW_SYS_CLONE, .comm = "bash", .root = 40001, .root_ppid = 39990,
		.root_created_ns = 5010000000000ULL, .root_start_ns = 5009990000000ULL,
		.root_comm = "bash", .count = 5, .threshold = 5, .rank = 5, .strong = 2,
		.kids_live = 2, .window_count = 2,
	};
	struct fw_task_event t = {
		.ts_ns = 5012345678901ULL, .type = FW_EVENT_PROCESS, .pid = 4243, .tid = 4243,
		.ppid = 4242, .uid = 1000, .syscall = FW_SYS_CLONE, .creator = 4242, .comm = "bash",
	};
	struct fw_open_event o = {
		.ts_ns = 5012345678901ULL, .type = FW_EVENT_OPEN, .pid = 812, .tid = 812, .uid = 0,
		.ret = 3, .flags = 02000000 /* O_CLOEXEC */, .call = FW_OPEN_OPENAT,
		.path_status = FW_PATH_OK, .comm = "cat", .path = "/etc/os-release",
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	put("alert-replicator", 0, &a, sizeof(a));
	a.kind = FW_RULE_CHAIN;
	a.action = FW_ACT_KILL;
	a.whole = 1;
	a.count = 64;
	a.threshold = 64;
	a.doomed_since_ns = a.root_created_ns;
	memcpy(a.comm, "sh", 3);
	put("alert-chain-kill", 0, &a, sizeof(a));
	a.kind = FW_RULE_SPAWNER;
	a.action = FW_ACT_SPARED;
	a.spared = FW_SPARED_ESTABLISHED;
	a.kids_live = 10000;
	a.threshold = 10000;
	a.fails = 3;
	put("alert-spawner-spared", 0, &a, sizeof(a));
	a.kind = FW_RULE_LIMIT;
	a.action = FW_ACT_DRY_RUN;
	a.count = 201;
	a.threshold = 200;
	put("alert-limit-dry-run", 0, &a, sizeof(a));
	a.kind = FW_NOTE_RETURNS;
	put("alert-note-returns", 0, &a, sizeof(a));
	a.kind = FW_RULE_RATE;
	put("alert-truncated", 0, &a, sizeof(a) - 8);

	put("event-process", 1, &t, sizeof(t));
	t.type = FW_EVENT_THREAD;
	t.tid = 4250;
	t.ppid = 0; /* a thread of a process older than the tool */
	put("event-thread", 1, &t, sizeof(t));
	put("event-open", 1, &o, sizeof(o));
	o.ret = -2; /* -ENOENT */
	o.flags = 0101 | 02000000; /* O_WRONLY|O_CREAT|O_CLOEXEC */
	o.path_status = FW_PATH_TRUNCATED;
	memset(o.path, 'a', sizeof(o.path));
	o.path[0] = '/';
	put("event-open-truncated", 1, &o, sizeof(o));
	put("event-open-short", 1, &o, sizeof(o) / 2);
	return 0;
}
