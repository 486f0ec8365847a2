// SPDX-License-Identifier: GPL-2.0
#include "output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "probe_choice.h"
#include "util.h"

const char *fw_alert_kind_name(uint32_t kind)
{
	switch (kind) {
	case FW_ALERT_PROCESS:
		return "process";
	case FW_ALERT_TREE:
		return "tree";
	case FW_ALERT_THREADS:
		return "threads";
	default:
		return "unknown";
	}
}

void fw_clean_comm(const char *comm, size_t n, int for_csv, char *out, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && comm[i] && o + 1 < len; i++) {
		unsigned char c = (unsigned char)comm[i];

		out[o++] = (c < 0x20 || c >= 0x7f || (for_csv && (c == ',' || c == '"'))) ? '?' : (char)c;
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, len, "?");
}

void fw_format_rfc3339(double wall, char *buf, size_t len)
{
	time_t secs = (time_t)floor(wall);
	int ms = (int)((wall - (double)secs) * 1000.0);
	struct tm tm;

	if (ms > 999)
		ms = 999;
	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void fw_format_text(const struct fw_report *r, char *buf, size_t len)
{
	const struct fw_alert *a = r->alert;
	char when[40], comm[FW_COMM_LEN + 1], window[32], supp[48] = "";
	time_t secs = (time_t)r->wall;
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fw_clean_comm(a->comm, sizeof(a->comm), 0, comm, sizeof(comm));
	fw_format_duration(r->window_ns, window, sizeof(window));
	if (a->suppressed)
		snprintf(supp, sizeof(supp), " (%u repeats suppressed)", a->suppressed);

	switch (a->kind) {
	case FW_ALERT_TREE:
		snprintf(buf, len,
			 "%s ALERT tree: %u live processes in a burst under %u (%s) "
			 "[threshold %u; %u created in the burst, %u in the last %s; "
			 "tree %u (%s) has %u live]; newest from %u/%u (%s) ppid %u uid %u via %s%s",
			 when, a->count, r->root, r->root_comm, a->threshold, a->burst_created,
			 a->window_count, window, a->root, r->tree_comm, a->live, a->pid, a->tgid, comm,
			 r->ppid, a->uid, fw_syscall_name((int)a->syscall), supp);
		break;
	case FW_ALERT_PROCESS:
		snprintf(buf, len,
			 "%s ALERT process: %u (%s) created %u processes in %s [threshold %u]; "
			 "pid %u ppid %u uid %u via %s; burst root %u (%s)%s",
			 when, a->tgid, comm, a->count, window, a->threshold, a->pid, r->ppid, a->uid,
			 fw_syscall_name((int)a->syscall), r->root, r->root_comm, supp);
		break;
	default:
		snprintf(buf, len,
			 "%s ALERT threads: %u (%s) created %u threads in %s [threshold %u]; "
			 "%u live; pid %u ppid %u uid %u via %s%s",
			 when, a->tgid, comm, a->count, window, a->threshold, a->live, a->pid, r->ppid,
			 a->uid, fw_syscall_name((int)a->syscall), supp);
		break;
	}
}

const char *fw_csv_header(void)
{
	return "timestamp,pid,tgid,hostname,subprocesses,kind,comm,ppid,uid,root,root_comm,"
	       "live,threshold,syscall,suppressed";
}

void fw_format_csv(const struct fw_report *r, char *buf, size_t len)
{
	const struct fw_alert *a = r->alert;
	char comm[FW_COMM_LEN + 1], root_comm[FW_COMM_LEN + 1], host[256];

	fw_clean_comm(a->comm, sizeof(a->comm), 1, comm, sizeof(comm));
	fw_clean_comm(r->root_comm, FW_COMM_LEN, 1, root_comm, sizeof(root_comm));
	fw_clean_comm(r->hostname, strlen(r->hostname), 1, host, sizeof(host));
	snprintf(buf, len, "%.6f,%u,%u,%s,%u,%s,%s,%u,%u,%u,%s,%u,%u,%s,%u", r->wall, a->pid, a->tgid,
		 host, a->count, fw_alert_kind_name(a->kind), comm, r->ppid, a->uid, r->root,
		 root_comm, a->live, a->threshold, fw_syscall_name((int)a->syscall), a->suppressed);
}

json_t *fw_report_json(const struct fw_report *r)
{
	const struct fw_alert *a = r->alert;
	char when[40], comm[FW_COMM_LEN + 1];

	fw_format_rfc3339(r->wall, when, sizeof(when));
	fw_clean_comm(a->comm, sizeof(a->comm), 0, comm, sizeof(comm));
	return json_pack("{s:s, s:s, s:f, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:s, s:I, s:{s:I, s:s, s:I}, s:{s:I, s:s}}",
			 "event", "alert", "time", when, "timestamp", r->wall,
			 "kind", fw_alert_kind_name(a->kind),
			 "pid", (json_int_t)a->pid, "tgid", (json_int_t)a->tgid,
			 "ppid", (json_int_t)r->ppid, "uid", (json_int_t)a->uid,
			 "comm", comm, "hostname", r->hostname,
			 "subprocesses", (json_int_t)a->count, "threshold", (json_int_t)a->threshold,
			 "window_count", (json_int_t)a->window_count, "live", (json_int_t)a->live,
			 "burst_created", (json_int_t)a->burst_created,
			 "suppressed", (json_int_t)a->suppressed,
			 "syscall", fw_syscall_name((int)a->syscall), "child", (json_int_t)a->child,
			 "root", "pid", (json_int_t)r->root, "comm", r->root_comm,
			 "depth", (json_int_t)r->root_depth,
			 "tree", "pid", (json_int_t)a->root, "comm", r->tree_comm);
}
