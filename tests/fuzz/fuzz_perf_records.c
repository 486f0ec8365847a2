// SPDX-License-Identifier: GPL-2.0
/* Records from the perf buffers as the callbacks get them, (data, size):
 * fw_decode_alert for the alerts buffer (fw_on_alert), fw_decode_event for
 * the events buffer (fw_on_event), then every output made of what they
 * accept: the console line, the metrics.log line and the JSON, as
 * alerts.c and events.c make them. The first byte picks the buffer; the
 * rest is the record, ending where the fuzzer's buffer ends, so that
 * AddressSanitizer sees a read past its size. A short record must be
 * refused; an accepted one must give one line of each output. */
#include <stdbool.h>

#include "forkwatch_logic.h"
#include "fuzz.h"
#include "output.h"

#define WALL_OFFSET 1795320000.0 /* wall clock minus CLOCK_MONOTONIC */

static void check_line(const char *line, size_t len)
{
	FUZZ_CHECK(fuzz_terminated(line, len) && line[0] && !strchr(line, '\n'));
}

static void check_json(json_t *j)
{
	char *text;

	FUZZ_CHECK(j != NULL); /* NULL would drop the record from the JSON stream */
	text = json_dumps(j, JSON_COMPACT);
	FUZZ_CHECK(text && !strchr(text, '\n'));
	free(text);
	json_decref(j);
}

/* What report_init() and emit() in alerts.c do with a verdict. */
static void alert_outputs(const struct fw_alert *a, bool is_kill)
{
	char root_comm[FW_COMM_LEN + 1], line[1536];
	struct fw_report r = {
		.alert = a,
		.wall = WALL_OFFSET + (double)a->ts_ns / 1e9,
		.hostname = "fuzz-host",
		.window_ns = 1000000000ULL,
		.ppid = a->ppid ? a->ppid : 1,
		.root_comm = root_comm,
		.members = a->strong,
		.dry_run = a->action == FW_ACT_DRY_RUN,
		.is_kill = is_kill,
		.killed_kernel = a->count,
		.killed_sweep = a->kids_live,
		.took_ms = (double)a->fails / 8,
	};

	fw_clean_comm(a->root_comm, sizeof(a->root_comm), 0, root_comm, sizeof(root_comm));
	fw_format_text(&r, line, sizeof(line));
	check_line(line, sizeof(line));
	fw_format_csv(&r, line, sizeof(line));
	check_line(line, sizeof(line));
	check_json(fw_report_json(&r));
}

static void alerts_buffer(const uint8_t *rec, int size)
{
	struct fw_alert a;

	switch (fw_decode_alert(rec, size, &a)) {
	case FW_ALERT_VERDICT:
		FUZZ_CHECK(size >= (int)sizeof(a));
		FUZZ_CHECK(a.kind > FW_RULE_NONE && a.kind < FW_RULES && a.action <= FW_ACT_SPARED);
		alert_outputs(&a, false);
		alert_outputs(&a, true);
		break;
	case FW_ALERT_NOTE_RETURNS:
		FUZZ_CHECK(size >= (int)sizeof(a) && a.kind == FW_NOTE_RETURNS);
		break;
	case FW_ALERT_REJECTED:
		break;
	default:
		FUZZ_CHECK(!"a verdict outside enum fw_alert_record");
	}
}

/* What fw_on_event() in events.c does with a record. */
static void events_buffer(const uint8_t *rec, int size)
{
	union fw_event_record e;
	char line[2048];
	double wall;

	switch (fw_decode_event(rec, size, &e)) {
	case FW_EVENT_OPEN:
		FUZZ_CHECK(size >= (int)sizeof(e.open) && e.open.type == FW_EVENT_OPEN);
		wall = WALL_OFFSET + (double)e.open.ts_ns / 1e9;
		fw_format_open_event(&e.open, wall, line, sizeof(line));
		check_line(line, sizeof(line));
		check_json(fw_open_event_json(&e.open, wall));
		break;
	case FW_EVENT_PROCESS:
	case FW_EVENT_THREAD:
		FUZZ_CHECK(size >= (int)sizeof(e.task));
		FUZZ_CHECK(e.task.type == FW_EVENT_PROCESS || e.task.type == FW_EVENT_THREAD);
		wall = WALL_OFFSET + (double)e.task.ts_ns / 1e9;
		fw_format_task_event(&e.task, wall, e.task.ppid, line, sizeof(line));
		check_line(line, sizeof(line));
		check_json(fw_task_event_json(&e.task, wall, e.task.ppid));
		break;
	case 0:
		break;
	default:
		FUZZ_CHECK(!"a type outside enum fw_event_type");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > INT32_MAX)
		return 0;
	if (data[0] & 1)
		events_buffer(data + 1, (int)(size - 1));
	else
		alerts_buffer(data + 1, (int)(size - 1));
	return 0;
}
