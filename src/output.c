// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "output.h"

#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "probe_choice.h"
#include "util.h"

enum fw_alert_record fw_decode_alert(const void *data, int size, struct fw_alert *a)
{
	if (size < (int)sizeof(*a))
		return FW_ALERT_REJECTED;
	memcpy(a, data, sizeof(*a));
	if (a->kind == FW_NOTE_RETURNS)
		return FW_ALERT_NOTE_RETURNS;
	if (a->kind == FW_RULE_NONE || a->kind >= FW_RULES || a->action > FW_ACT_SPARED)
		return FW_ALERT_REJECTED;
	return FW_ALERT_VERDICT;
}

uint32_t fw_decode_event(const void *data, int size, union fw_event_record *e)
{
	uint32_t type;

	/* Every record starts with ts_ns and type. */
	if (size < (int)(sizeof(uint64_t) + sizeof(uint32_t)))
		return 0;
	memcpy(&type, (const char *)data + sizeof(uint64_t), sizeof(type));
	if (type == FW_EVENT_OPEN && size >= (int)sizeof(e->open)) {
		memcpy(&e->open, data, sizeof(e->open));
		return type;
	}
	if ((type == FW_EVENT_PROCESS || type == FW_EVENT_THREAD) && size >= (int)sizeof(e->task)) {
		memcpy(&e->task, data, sizeof(e->task));
		return type;
	}
	return 0;
}

const char *fw_rule_name(uint32_t rule)
{
	switch (rule) {
	case FW_RULE_REPLICATOR:
		return "replicator";
	case FW_RULE_CHAIN:
		return "chain";
	case FW_RULE_SPAWNER:
		return "spawner";
	case FW_RULE_THREADS:
		return "threads";
	case FW_RULE_RATE:
		return "rate";
	case FW_RULE_LIMIT:
		return "limit";
	default:
		return "unknown";
	}
}

const char *fw_kill_reason_name(uint32_t reason)
{
	return reason == FW_KILL_LINEAGE ? "lineage" : fw_rule_name(reason);
}

const char *fw_action_name(uint32_t action)
{
	switch (action) {
	case FW_ACT_KILL:
		return "kill";
	case FW_ACT_DRY_RUN:
		return "dry-run";
	case FW_ACT_SPARED:
		return "spared";
	default:
		return "report";
	}
}

const char *fw_spared_name(uint32_t cause)
{
	switch (cause) {
	case FW_SPARED_INIT:
		return "init";
	case FW_SPARED_KTHREAD:
		return "kthread";
	case FW_SPARED_PROTECTED:
		return "protected";
	case FW_SPARED_COMM:
		return "allow_comm";
	case FW_SPARED_UID:
		return "allow_uid";
	case FW_SPARED_CGROUP:
		return "allow_cgroup";
	case FW_SPARED_ESTABLISHED:
		return "established";
	default:
		return "";
	}
}

/* How long the root's program had run when it was named: "3.2s", or
 * "unknown" when it started before the tool. */
static void root_age(const struct fw_alert *a, char *buf, size_t len)
{
	if (!a->root_start_ns || a->ts_ns < a->root_start_ns) {
		snprintf(buf, len, "unknown (it started before the tool)");
		return;
	}
	fw_format_duration(a->ts_ns - a->root_start_ns, buf, len);
}

/* No commas in these words: metrics.log stays splittable on commas (the
 * field is quoted all the same). */
void fw_format_why(const struct fw_alert *a, uint64_t window_ns, char *buf, size_t len)
{
	char window[32];

	fw_format_duration(window_ns, window, sizeof(window));
	switch (a->kind) {
	case FW_RULE_REPLICATOR:
		if (a->threshold == FW_HARM_RANK && a->count < FW_HARM_RANK + 2 && a->fails)
			snprintf(buf, len, "its copies make copies: branching rank %u with %u %s "
				 "replicating; and their creations fail (%u in %s): a limit binds it",
				 a->count, a->strong, a->strong == 1 ? "line" : "lines", a->fails,
				 window);
		else
			snprintf(buf, len, "its copies make copies: branching rank %u (rule %u) with %u "
				 "live %s replicating", a->count, a->threshold, a->strong,
				 a->strong == 1 ? "line" : "lines");
		break;
	case FW_RULE_CHAIN:
		snprintf(buf, len, "a line of copies each starting the next: %u generations in %s "
			 "(rule %u)", a->count, window, a->threshold);
		break;
	case FW_RULE_SPAWNER:
		if (a->threshold == FW_SPAWN_MIN && a->fails)
			snprintf(buf, len, "%u live children and its creations fail (%u in %s): "
				 "a limit binds it", a->kids_live, a->fails, window);
		else
			snprintf(buf, len, "%u live children (rule --spawn-max %u)", a->kids_live,
				 a->threshold);
		break;
	case FW_RULE_THREADS:
		snprintf(buf, len, "%u threads created in %s (rule %u); %u live", a->count, window,
			 a->threshold, a->kids_live);
		break;
	case FW_RULE_RATE:
		snprintf(buf, len, "%u processes created in %s (rule %u; reported and never killed)",
			 a->count, window, a->threshold);
		break;
	case FW_RULE_LIMIT:
		snprintf(buf, len, "%u children created; limit %u", a->count, a->threshold);
		break;
	default:
		snprintf(buf, len, "unknown rule %u", a->kind);
	}
}

uint32_t fw_report_subprocesses(const struct fw_report *r)
{
	switch (r->alert->kind) {
	case FW_RULE_REPLICATOR:
	case FW_RULE_CHAIN:
		return r->members;
	case FW_RULE_SPAWNER:
		return r->alert->kids_live;
	default:
		return r->alert->count;
	}
}

/* What containment does about an alert, for its line. */
static void action_text(const struct fw_report *r, char *buf, size_t len)
{
	const struct fw_alert *a = r->alert;
	char age[48];

	switch (a->action) {
	case FW_ACT_KILL:
	case FW_ACT_DRY_RUN:
		snprintf(buf, len, "; %s%s", a->action == FW_ACT_DRY_RUN ? "dry run: would kill " : "killing ",
			 a->whole ? "the root and its lineage" : "what it made in the episode (the root "
								 "is established)");
		break;
	case FW_ACT_SPARED:
		if (a->spared == FW_SPARED_ESTABLISHED) {
			root_age(a, age, sizeof(age));
			snprintf(buf, len, "; not killed: an established process (its program ran %s "
				 "before), reported only", age);
		} else {
			snprintf(buf, len, "; not killed: exempt (%s)", fw_spared_name(a->spared));
		}
		break;
	default:
		buf[0] = '\0';
	}
}

static void format_kill_text(const struct fw_report *r, const char *when, const char *comm,
			     char *buf, size_t len)
{
	const struct fw_alert *a = r->alert;
	uint32_t total = r->killed_kernel + r->killed_sweep;
	char why[256], what[128];

	fw_format_why(a, r->window_ns, why, sizeof(why));
	if (a->kind == FW_RULE_LIMIT || a->kind == FW_RULE_THREADS) {
		snprintf(buf, len, "%s %s %s: %u (%s) [%s]; uid %u ppid %u", when,
			 r->dry_run ? "DRY-RUN would kill" : "KILLED", fw_rule_name(a->kind),
			 a->tgid, comm, why, a->uid, r->ppid);
		return;
	}
	if (a->whole)
		snprintf(what, sizeof(what), "root %u (%s) and its lineage", a->root, r->root_comm);
	else
		snprintf(what, sizeof(what), "what %u (%s) made in the episode", a->root,
			 r->root_comm);
	snprintf(buf, len, "%s %s %s: %s: %u %s (probe %u, sweep %u) in %.0f ms [%s]; named by "
		 "%u/%u (%s)", when, r->dry_run ? "DRY-RUN" : "KILLED", fw_rule_name(a->kind), what,
		 total, r->dry_run ? "would be killed" : "killed", r->killed_kernel, r->killed_sweep,
		 r->took_ms, why, a->pid, a->tgid, comm);
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

/* logfmt: key=value, the value double-quoted when it holds a space, a quote
 * or an equals sign (or is empty); its quotes and backslashes escaped. The
 * context's values are escaped already (context.h): no control bytes. */
static void kv(char *buf, size_t len, const char *key, const char *value)
{
	size_t o = strlen(buf), i;
	bool quote = !value[0] || strpbrk(value, " \"=\\") != NULL;

	if (o + 1 >= len)
		return;
	o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "", key, quote ? "\"" : "");
	for (i = 0; value[i] && o + 2 < len; i++) {
		if (value[i] == '"' || value[i] == '\\')
			buf[o++] = '\\';
		buf[o++] = value[i];
	}
	if (quote && o + 1 < len)
		buf[o++] = '"';
	if (o >= len)
		o = len - 1;
	buf[o] = '\0';
}

static void kv_u(char *buf, size_t len, const char *key, unsigned long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", v);
	kv(buf, len, key, num);
}

static const char *context_source_name(enum fw_context_source s)
{
	return s == FW_CTX_ROOT     ? "root"
	       : s == FW_CTX_MEMBER ? "member"
	       : s == FW_CTX_CGROUP ? "cgroup"
				    : "none";
}

void fw_format_context_kv(const struct fw_context *c, char *buf, size_t len)
{
	if (!len)
		return;
	buf[0] = '\0';
	if (!c)
		return;
	if (c->cgroup[0])
		kv(buf, len, "cgroup", c->cgroup);
	if (c->unit[0])
		kv(buf, len, "unit", c->unit);
	if (c->slice[0])
		kv(buf, len, "slice", c->slice);
	if (c->container[0]) {
		kv(buf, len, "container", c->container);
		kv(buf, len, "runtime", c->runtime);
	}
	if (c->ns_level) {
		kv_u(buf, len, "ns_level", c->ns_level);
		kv_u(buf, len, "ns_pid", c->ns_pid);
	}
	if (c->user[0])
		kv(buf, len, "user", c->user);
	if (c->has_uid)
		kv_u(buf, len, "user_id", c->uid);
	if (c->cmdline[0])
		kv(buf, len, "cmdline", c->cmdline);
	if (c->cmdline_truncated)
		kv(buf, len, "cmdline_truncated", "1");
	kv(buf, len, "context", context_source_name(c->source));
	if (c->pid)
		kv_u(buf, len, "context_pid", c->pid);
}

/* "; who: cgroup=... user=... context=root" after a console line. */
static void append_who(const struct fw_report *r, char *buf, size_t len)
{
	char who[2048];
	size_t used = strlen(buf);

	if (!r->ctx)
		return;
	fw_format_context_kv(r->ctx, who, sizeof(who));
	snprintf(buf + used, len - used, "; who: %s", who);
}

void fw_format_rfc3339(double wall, char *buf, size_t len)
{
	time_t secs = (time_t)floor(wall);
	int ms = (int)((wall - (double)secs) * 1000.0);
	struct tm tm;
	size_t n;

	if (ms > 999)
		ms = 999;
	if (ms < 0)
		ms = 0;
	gmtime_r(&secs, &tm);
	/* strftime, not one snprintf of the tm fields: GCC at -O3 cannot bound
	 * those and fails the build with -Werror=format-truncation. */
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", ms);
}

void fw_format_text(const struct fw_report *r, char *buf, size_t len)
{
	const struct fw_alert *a = r->alert;
	char when[40], comm[FW_COMM_LEN + 1], supp[48] = "", why[256], act[160], lineage[64] = "";
	time_t secs = (time_t)r->wall;
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fw_clean_comm(a->comm, sizeof(a->comm), 0, comm, sizeof(comm));
	if (r->is_kill) {
		format_kill_text(r, when, comm, buf, len);
		append_who(r, buf, len);
		return;
	}
	if (a->suppressed)
		snprintf(supp, sizeof(supp), " (%u repeats suppressed)", a->suppressed);
	fw_format_why(a, r->window_ns, why, sizeof(why));
	action_text(r, act, sizeof(act));
	if (a->kind == FW_RULE_REPLICATOR || a->kind == FW_RULE_CHAIN)
		snprintf(lineage, sizeof(lineage), "; %u live in its lineage", r->members);
	snprintf(buf, len, "%s ALERT %s: root %u (%s) [%s%s]; newest from %u/%u (%s) ppid %u uid %u "
		 "via %s%s%s", when, fw_rule_name(a->kind), a->root, r->root_comm, why, lineage,
		 a->pid, a->tgid, comm, r->ppid, a->uid, fw_syscall_name((int)a->syscall), act, supp);
	append_who(r, buf, len);
}

const char *fw_csv_header(void)
{
	return "timestamp,pid,tgid,hostname,subprocesses,event,rule,comm,ppid,uid,root,root_comm,"
	       "figure,threshold,syscall,suppressed,action,killed,kill_ms,why,cgroup,unit,slice,"
	       "container_runtime,container_id,ns_level,ns_pid,user,user_id,cmdline,context,"
	       "context_pid";
}

/* A CSV field in double quotes, quotes doubled. */
static void csv_quote(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (len < 3) {
		if (len)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	for (; *in && o + 3 < len; in++) {
		if (*in == '"')
			out[o++] = '"';
		out[o++] = *in;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* The context's columns after the original ones: text columns quoted
 * (a cgroup path or a command line may hold commas); empty when unknown. */
static void csv_context(const struct fw_context *c, char *buf, size_t len)
{
	char q[4][FW_CTX_CMDLINE_LEN * 2 + 3], ns_level[16] = "", ns_pid[16] = "", uid[16] = "",
		pid[16] = "";
	size_t used = strlen(buf);

	if (!c) {
		snprintf(buf + used, len - used, ",,,,,,,,,,,,");
		return;
	}
	csv_quote(c->cgroup, q[0], sizeof(q[0]));
	csv_quote(c->unit, q[1], sizeof(q[1]));
	csv_quote(c->slice, q[2], sizeof(q[2]));
	csv_quote(c->cmdline, q[3], sizeof(q[3]));
	if (c->ns_level) {
		snprintf(ns_level, sizeof(ns_level), "%u", c->ns_level);
		snprintf(ns_pid, sizeof(ns_pid), "%u", c->ns_pid);
	}
	if (c->has_uid)
		snprintf(uid, sizeof(uid), "%u", c->uid);
	if (c->pid)
		snprintf(pid, sizeof(pid), "%u", c->pid);
	snprintf(buf + used, len - used, ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s",
		 c->cgroup[0] ? q[0] : "", c->unit[0] ? q[1] : "", c->slice[0] ? q[2] : "",
		 c->runtime, c->container, ns_level, ns_pid, c->user, uid, c->cmdline[0] ? q[3] : "",
		 context_source_name(c->source), pid);
}

void fw_format_csv(const struct fw_report *r, char *buf, size_t len)
{
	const struct fw_alert *a = r->alert;
	char comm[FW_COMM_LEN + 1], root_comm[FW_COMM_LEN + 1], host[256], why[256], qwhy[520];
	char kill[48] = ",";

	fw_clean_comm(a->comm, sizeof(a->comm), 1, comm, sizeof(comm));
	fw_clean_comm(r->root_comm, FW_COMM_LEN, 1, root_comm, sizeof(root_comm));
	fw_clean_comm(r->hostname, strlen(r->hostname), 1, host, sizeof(host));
	fw_format_why(a, r->window_ns, why, sizeof(why));
	csv_quote(why, qwhy, sizeof(qwhy));
	if (r->is_kill)
		snprintf(kill, sizeof(kill), "%u,%.0f", r->killed_kernel + r->killed_sweep, r->took_ms);
	snprintf(buf, len, "%.6f,%u,%u,%s,%u,%s,%s,%s,%u,%u,%u,%s,%u,%u,%s,%u,%s,%s,%s", r->wall,
		 a->pid, a->tgid, host, fw_report_subprocesses(r),
		 r->is_kill ? (r->dry_run ? "dry-run" : "kill") : "alert", fw_rule_name(a->kind), comm,
		 r->ppid, a->uid, a->root, root_comm, a->count, a->threshold,
		 fw_syscall_name((int)a->syscall), a->suppressed,
		 a->action == FW_ACT_SPARED ? fw_spared_name(a->spared) : fw_action_name(a->action),
		 kill, qwhy);
	csv_context(r->ctx, buf, len);
}

/* null for "" */
static json_t *str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* The context as an object (its strings escaped already: ASCII). */
static json_t *context_json(const struct fw_context *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "from", json_string(context_source_name(c->source)));
	json_object_set_new(o, "pid", c->pid ? json_integer((json_int_t)c->pid) : json_null());
	json_object_set_new(o, "cgroup", str_or_null(c->cgroup));
	json_object_set_new(o, "cgroup_hierarchy", str_or_null(c->hierarchy));
	json_object_set_new(o, "unit", str_or_null(c->unit));
	json_object_set_new(o, "slice", str_or_null(c->slice));
	json_object_set_new(o, "container",
			    c->container[0] ? json_pack("{s:s, s:s}", "runtime", c->runtime, "id",
							c->container)
					    : json_null());
	json_object_set_new(o, "pidns",
			    c->ns_level ? json_pack("{s:I, s:I}", "level", (json_int_t)c->ns_level,
						    "pid", (json_int_t)c->ns_pid)
					: json_null());
	json_object_set_new(o, "uid", c->has_uid ? json_integer((json_int_t)c->uid) : json_null());
	json_object_set_new(o, "user", str_or_null(c->user));
	json_object_set_new(o, "cmdline", str_or_null(c->cmdline));
	json_object_set_new(o, "cmdline_truncated", json_boolean(c->cmdline_truncated));
	return o;
}

static json_t *with_context(json_t *j, const struct fw_report *r)
{
	if (j && r->ctx)
		json_object_set_new(j, "context", context_json(r->ctx));
	return j;
}

json_t *fw_report_json(const struct fw_report *r)
{
	const struct fw_alert *a = r->alert;
	char when[40], comm[FW_COMM_LEN + 1], why[256];
	json_t *root, *j;

	fw_format_rfc3339(r->wall, when, sizeof(when));
	fw_clean_comm(a->comm, sizeof(a->comm), 0, comm, sizeof(comm));
	fw_format_why(a, r->window_ns, why, sizeof(why));
	root = json_pack("{s:I, s:s, s:I, s:b}", "pid", (json_int_t)a->root, "comm", r->root_comm,
			 "ppid", (json_int_t)a->root_ppid, "whole", a->whole);
	if (a->root_start_ns && a->ts_ns >= a->root_start_ns)
		json_object_set_new(root, "age_s",
				    json_real((double)(a->ts_ns - a->root_start_ns) / 1e9));
	else
		json_object_set_new(root, "age_s", json_null());
	if (r->is_kill)
		return with_context(json_pack("{s:s, s:s, s:f, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:s, "
				 "s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:o}",
				 "event", "kill", "time", when, "timestamp", r->wall,
				 "kind", fw_rule_name(a->kind), "rule", fw_rule_name(a->kind),
				 "reason", fw_rule_name(a->kind), "why", why, "dry_run", r->dry_run,
				 "pid", (json_int_t)a->pid, "tgid", (json_int_t)a->tgid,
				 "ppid", (json_int_t)r->ppid, "uid", (json_int_t)a->uid,
				 "comm", comm, "hostname", r->hostname,
				 "count", (json_int_t)a->count, "threshold", (json_int_t)a->threshold,
				 "killed", (json_int_t)(r->killed_kernel + r->killed_sweep),
				 "killed_kernel", (json_int_t)r->killed_kernel,
				 "killed_sweep", (json_int_t)r->killed_sweep, "took_ms", r->took_ms,
				 "root", root), r);
	j = json_pack("{s:s, s:s, s:f, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I, "
		      "s:I, s:I, s:s, s:I, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
		      "event", "alert", "time", when, "timestamp", r->wall,
		      "kind", fw_rule_name(a->kind), "rule", fw_rule_name(a->kind), "why", why,
		      "pid", (json_int_t)a->pid, "tgid", (json_int_t)a->tgid,
		      "ppid", (json_int_t)r->ppid, "uid", (json_int_t)a->uid,
		      "comm", comm, "hostname", r->hostname,
		      "subprocesses", (json_int_t)fw_report_subprocesses(r),
		      "figure", (json_int_t)a->count, "threshold", (json_int_t)a->threshold,
		      "suppressed", (json_int_t)a->suppressed,
		      "syscall", fw_syscall_name((int)a->syscall), "child", (json_int_t)a->child,
		      "action", fw_action_name(a->action), "spared", fw_spared_name(a->spared),
		      "root", root,
		      "evidence", "rank", (json_int_t)a->rank, "strong", (json_int_t)a->strong,
		      "members", (json_int_t)r->members, "live_children", (json_int_t)a->kids_live,
		      "failed", (json_int_t)a->fails, "window_count", (json_int_t)a->window_count);
	return with_context(j, r);
}

void fw_format_syslog(const struct fw_report *r, char *buf, size_t len)
{
	const struct fw_alert *a = r->alert;
	char comm[FW_COMM_LEN + 1], why[256], who[2048];
	size_t used;

	if (!len)
		return;
	buf[0] = '\0';
	fw_clean_comm(a->comm, sizeof(a->comm), 0, comm, sizeof(comm));
	fw_format_why(a, r->window_ns, why, sizeof(why));
	kv(buf, len, "event", r->is_kill ? (r->dry_run ? "dry-run" : "kill") : "alert");
	kv(buf, len, "rule", fw_rule_name(a->kind));
	kv_u(buf, len, "root", a->root);
	kv(buf, len, "root_comm", r->root_comm);
	kv_u(buf, len, "pid", a->pid);
	kv_u(buf, len, "tgid", a->tgid);
	kv(buf, len, "comm", comm);
	kv_u(buf, len, "ppid", r->ppid);
	kv_u(buf, len, "uid", a->uid);
	kv_u(buf, len, "subprocesses", fw_report_subprocesses(r));
	kv_u(buf, len, "figure", a->count);
	kv_u(buf, len, "threshold", a->threshold);
	kv(buf, len, "action",
	   a->action == FW_ACT_SPARED ? fw_spared_name(a->spared) : fw_action_name(a->action));
	if (r->is_kill) {
		kv_u(buf, len, "killed", r->killed_kernel + r->killed_sweep);
		kv_u(buf, len, "kill_ms", (unsigned long long)llround(r->took_ms));
	}
	kv(buf, len, "why", why);
	fw_format_context_kv(r->ctx, who, sizeof(who));
	used = strlen(buf);
	if (who[0])
		snprintf(buf + used, len - used, " %s", who);
}

static void clock_text(double wall, char *buf, size_t len)
{
	long long total_ms = llround(wall * 1000.0); /* 0.152 is stored as 0.15199... */
	time_t secs = (time_t)(total_ms / 1000);
	int ms = (int)(total_ms % 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

const char *fw_events_header(void)
{
	return "TIME(UTC)    EVENT   PID     PPID    TID     UID    COMM             DETAIL";
}

static const char *task_event_name(uint32_t type)
{
	return type == FW_EVENT_THREAD ? "thread" : "process";
}

void fw_format_task_event(const struct fw_task_event *e, double wall, uint32_t ppid, char *buf,
			  size_t len)
{
	char when[16], comm[FW_COMM_LEN + 1], ppid_text[16];

	clock_text(wall, when, sizeof(when));
	fw_clean_comm(e->comm, sizeof(e->comm), 0, comm, sizeof(comm));
	if (ppid)
		snprintf(ppid_text, sizeof(ppid_text), "%u", ppid);
	else
		snprintf(ppid_text, sizeof(ppid_text), "?");
	snprintf(buf, len, "%-12s %-7s %-7u %-7s %-7u %-6u %-16s %s", when, task_event_name(e->type),
		 e->pid, ppid_text, e->tid, e->uid, comm, fw_syscall_name((int)e->syscall));
}

const char *fw_open_call_name(uint32_t call)
{
	switch (call) {
	case FW_OPEN_OPEN:
		return "open";
	case FW_OPEN_OPENAT:
		return "openat";
	case FW_OPEN_OPENAT2:
		return "openat2";
	default:
		return "kernel"; /* do_sys_openat2/do_sys_open: any of them */
	}
}

/* The kernel's O_LARGEFILE (glibc hides it on 64-bit), which the kernel
 * adds to every open of a 64-bit task before do_sys_openat2 sees it. */
#if defined(__aarch64__)
#define FW_O_LARGEFILE 0400000
#else
#define FW_O_LARGEFILE 0100000
#endif

void fw_format_open_flags(uint64_t flags, char *buf, size_t len)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} bits[] = {
		{ O_CREAT, "O_CREAT" },       { O_EXCL, "O_EXCL" },
		{ O_NOCTTY, "O_NOCTTY" },     { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" },     { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, "O_DSYNC" },       { FASYNC, "O_ASYNC" },
		{ O_DIRECT, "O_DIRECT" },     { FW_O_LARGEFILE, "O_LARGEFILE" },
		{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, "O_CLOEXEC" },   { O_PATH, "O_PATH" },
	};
	uint64_t rest = flags;
	size_t used;
	unsigned i;

	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		snprintf(buf, len, "O_WRONLY");
		break;
	case O_RDWR:
		snprintf(buf, len, "O_RDWR");
		break;
	case O_RDONLY:
		snprintf(buf, len, "O_RDONLY");
		break;
	default:
		snprintf(buf, len, "O_ACCMODE");
		break;
	}
	rest &= ~(uint64_t)O_ACCMODE;
	/* O_TMPFILE and O_SYNC include O_DIRECTORY and O_DSYNC: whole first. */
	if ((rest & (uint64_t)O_TMPFILE) == (uint64_t)O_TMPFILE) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "|O_TMPFILE");
		rest &= ~(uint64_t)O_TMPFILE;
	}
	if ((rest & (uint64_t)O_SYNC) == (uint64_t)O_SYNC) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "|O_SYNC");
		rest &= ~(uint64_t)O_SYNC;
	}
	if (rest & (uint64_t)O_DIRECTORY) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "|O_DIRECTORY");
		rest &= ~(uint64_t)O_DIRECTORY;
	}
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (rest & bits[i].bit) {
			used = strlen(buf);
			snprintf(buf + used, len - used, "|%s", bits[i].name);
			rest &= ~bits[i].bit;
		}
	}
	if (rest) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "|0x%llx", (unsigned long long)rest);
	}
}

void fw_escape_path(const char *path, size_t n, char *out, size_t len)
{
	fw_escape_bytes(path, n, 0, out, len);
}

void fw_escape_bytes(const char *path, size_t n, int ascii_only, char *out, size_t len)
{
	size_t i, o = 0;

	if (len == 0)
		return;
	for (i = 0; i < n && path[i] && o + 1 < len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c < 0x20 || c == 0x7f || c == '\\' || (ascii_only && c >= 0x80)) {
			if (o + 5 >= len)
				break;
			snprintf(out + o, len - o, "\\x%02x", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

/* "3" or "-ENOENT" (errno names, not numbers, as strace prints them). */
static void open_result_text(int64_t ret, char *buf, size_t len)
{
	const char *name = ret < 0 && ret > -4096 ? strerrorname_np((int)-ret) : NULL;

	if (ret >= 0)
		snprintf(buf, len, "%lld", (long long)ret);
	else if (name)
		snprintf(buf, len, "-%s", name);
	else
		snprintf(buf, len, "%lld", (long long)ret);
}

void fw_format_open_event(const struct fw_open_event *e, double wall, char *buf, size_t len)
{
	char when[16], comm[FW_COMM_LEN + 1], result[32], flags[256], path[FW_PATH_LEN * 4 + 1];
	const char *note = "";

	clock_text(wall, when, sizeof(when));
	fw_clean_comm(e->comm, sizeof(e->comm), 0, comm, sizeof(comm));
	open_result_text(e->ret, result, sizeof(result));
	fw_format_open_flags(e->flags, flags, sizeof(flags));
	fw_escape_path(e->path, sizeof(e->path), path, sizeof(path));
	if (e->path_status == FW_PATH_TRUNCATED)
		note = " [truncated]";
	else if (e->path_status == FW_PATH_UNREADABLE)
		note = "[unreadable]";
	snprintf(buf, len, "%-12s %-7s %-7u %-7s %-7u %-6u %-16s %s %s %s%s", when, "open", e->pid,
		 "-", e->tid, e->uid, comm, result, flags, path, note);
}

json_t *fw_task_event_json(const struct fw_task_event *e, double wall, uint32_t ppid)
{
	char when[40], comm[FW_COMM_LEN + 1];

	fw_format_rfc3339(wall, when, sizeof(when));
	fw_clean_comm(e->comm, sizeof(e->comm), 0, comm, sizeof(comm));
	return json_pack("{s:s, s:s, s:f, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I}", "event",
			 task_event_name(e->type), "time", when, "timestamp", wall,
			 "pid", (json_int_t)e->pid, "ppid", (json_int_t)ppid,
			 "tid", (json_int_t)e->tid, "tgid", (json_int_t)e->pid,
			 "uid", (json_int_t)e->uid, "comm", comm,
			 "syscall", fw_syscall_name((int)e->syscall),
			 "creator", (json_int_t)e->creator);
}

json_t *fw_open_event_json(const struct fw_open_event *e, double wall)
{
	char when[40], comm[FW_COMM_LEN + 1], flags[256], result[32];
	char raw[FW_PATH_LEN + 1], escaped[FW_PATH_LEN * 4 + 1];
	json_t *j, *path;

	fw_format_rfc3339(wall, when, sizeof(when));
	fw_clean_comm(e->comm, sizeof(e->comm), 0, comm, sizeof(comm));
	fw_format_open_flags(e->flags, flags, sizeof(flags));
	open_result_text(e->ret, result, sizeof(result));
	memcpy(raw, e->path, FW_PATH_LEN);
	raw[FW_PATH_LEN] = '\0';
	path = json_string(raw); /* NULL when not UTF-8: then the escaped text */
	if (!path) {
		fw_escape_bytes(raw, sizeof(raw), 1, escaped, sizeof(escaped));
		path = json_string(escaped);
	}
	j = json_pack("{s:s, s:s, s:f, s:I, s:I, s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:o, s:b, "
		      "s:b}",
		      "event", "open", "time", when, "timestamp", wall, "pid", (json_int_t)e->pid,
		      "tid", (json_int_t)e->tid, "uid", (json_int_t)e->uid, "comm", comm,
		      "ret", (json_int_t)e->ret, "result", result, "flags", flags,
		      "flags_raw", (json_int_t)e->flags, "call", fw_open_call_name(e->call),
		      "path", path ? path : json_null(),
		      "truncated", e->path_status == FW_PATH_TRUNCATED,
		      "unreadable", e->path_status == FW_PATH_UNREADABLE);
	return j;
}
