// SPDX-License-Identifier: GPL-2.0
/* Who an alert is about (context.h): the text of /proc turned into fields.
 * Pure. */
#define _GNU_SOURCE
#include "context.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* One line of /proc/PID/cgroup: "ID:CONTROLLERS:PATH". */
struct cg_line {
	const char *id, *ctl, *path;
	size_t id_len, ctl_len, path_len;
};

static bool split_cg_line(const char *line, size_t n, struct cg_line *l)
{
	const char *c1 = memchr(line, ':', n), *c2;

	if (!c1)
		return false;
	c2 = memchr(c1 + 1, ':', (size_t)(line + n - c1 - 1));
	if (!c2)
		return false;
	l->id = line;
	l->id_len = (size_t)(c1 - line);
	l->ctl = c1 + 1;
	l->ctl_len = (size_t)(c2 - c1 - 1);
	l->path = c2 + 1;
	l->path_len = (size_t)(line + n - c2 - 1);
	return l->path_len > 0 && l->path[0] == '/';
}

/* Is word one of the comma-separated names of list? */
static bool in_list(const char *list, size_t n, const char *word)
{
	size_t w = strlen(word);
	const char *p = list, *end = list + n;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t len = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (len == w && !strncmp(p, word, w))
			return true;
		p += len + 1;
	}
	return false;
}

enum { H_V2, H_SYSTEMD, H_PIDS, H_COUNT };
static const char *const hierarchy_names[H_COUNT] = { "v2", "systemd", "pids" };

const char *fw_context_cgroup_choose(const char *text, char *out, size_t len)
{
	struct cg_line found[H_COUNT];
	bool have[H_COUNT] = { false };
	const char *line = text;
	int h;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		struct cg_line l;

		if (split_cg_line(line, n, &l)) {
			if (l.id_len == 1 && l.id[0] == '0' && l.ctl_len == 0)
				h = H_V2;
			else if (in_list(l.ctl, l.ctl_len, "name=systemd"))
				h = H_SYSTEMD;
			else if (in_list(l.ctl, l.ctl_len, "pids"))
				h = H_PIDS;
			else
				h = -1;
			if (h >= 0 && !have[h]) {
				have[h] = true;
				found[h] = l;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	/* The first that says more than "/", else the first there. */
	for (h = 0; h < H_COUNT; h++)
		if (have[h] && found[h].path_len > 1)
			break;
	if (h == H_COUNT)
		for (h = 0; h < H_COUNT && !have[h]; h++)
			;
	if (h == H_COUNT || found[h].path_len >= len)
		return NULL;
	memcpy(out, found[h].path, found[h].path_len);
	out[found[h].path_len] = '\0';
	return hierarchy_names[h];
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && !memcmp(s + n - k, suffix, k);
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

/* A unit name systemd would make a cgroup for: its characters, and a type
 * that has one. */
static bool unit_name(const char *s, size_t n)
{
	static const char *const types[] = { ".service", ".scope", ".socket", ".mount", ".swap" };
	size_t i;
	bool typed = false;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		typed |= ends_with(s, n, types[i]);
	if (!typed)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@'))
			return false;
	}
	return s[0] != '.' && s[0] != '@';
}

static void put(char *out, size_t len, const char *s, size_t n)
{
	if (!len)
		return;
	if (n >= len)
		n = 0; /* does not fit: none, never a piece */
	memcpy(out, s, n);
	out[n] = '\0';
}

void fw_context_systemd(const char *path, char *unit, size_t unit_len, char *slice,
			size_t slice_len)
{
	const char *p = path, *last_slice = NULL;
	size_t last_slice_len = 0;

	put(unit, unit_len, "", 0);
	put(slice, slice_len, "", 0);
	while (*p) {
		const char *name, *end;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		p += n;
		if (ends_with(name, n, ".slice")) {
			last_slice = name;
			last_slice_len = n;
			continue;
		}
		if (unit_name(name, n)) {
			put(unit, unit_len, name, n);
			if (last_slice)
				put(slice, slice_len, last_slice, last_slice_len);
			else
				put(slice, slice_len, "-.slice", 7);
			return;
		}
		break; /* not under systemd's tree (docker/ID, a cgroup of one's own) */
	}
	if (last_slice)
		put(slice, slice_len, last_slice, last_slice_len);
}

static bool hex64(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return false;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* name is PREFIX ID SUFFIX (SUFFIX "" or ".scope" when scope_optional). */
static const char *id_between(const char *name, size_t n, const char *prefix, bool scope_optional)
{
	size_t k = strlen(prefix), rest;

	if (!starts_with(name, n, prefix))
		return NULL;
	rest = n - k;
	if (rest == 64 + 6 && ends_with(name, n, ".scope") && hex64(name + k, 64))
		return name + k;
	if (scope_optional && rest == 64 && hex64(name + k, 64))
		return name + k;
	return NULL;
}

const char *fw_context_container(const char *path, char *id, size_t len)
{
	static const struct {
		const char *prefix;
		bool bare_too; /* also without ".scope" (the cgroupfs drivers) */
		const char *runtime;
	} named[] = {
		{ "docker-", false, "docker" },
		{ "cri-containerd-", false, "containerd" },
		{ "nerdctl-", false, "containerd" },
		{ "crio-", true, "cri-o" },
		{ "libpod-", true, "podman" },
	};
	const char *p = path, *parent = NULL, *found = NULL, *runtime = NULL;
	size_t parent_len = 0, i;
	bool kubepods = false;

	put(id, len, "", 0);
	while (*p) {
		const char *name, *end, *at = NULL;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		p += n;
		for (i = 0; i < sizeof(named) / sizeof(named[0]) && !at; i++) {
			at = id_between(name, n, named[i].prefix, named[i].bare_too);
			if (at)
				runtime = named[i].runtime;
		}
		if (!at && hex64(name, n)) {
			at = name;
			if (parent && parent_len == 6 && !memcmp(parent, "docker", 6))
				runtime = "docker";
			else if (kubepods)
				runtime = "cri";
			else
				runtime = "unknown";
		}
		if (at)
			found = at;
		kubepods |= starts_with(name, n, "kubepods");
		parent = name;
		parent_len = n;
	}
	if (!found || len < FW_CTX_CONTAINER_LEN)
		return NULL;
	put(id, len, found, 64);
	return runtime;
}

int fw_context_nspid(const char *status, uint32_t *inner, uint32_t *levels)
{
	const char *p = status;
	uint32_t count = 0, last = 0;

	while (p) {
		if (!strncmp(p, "NSpid:", 6))
			break;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	p += 6;
	for (;;) {
		uint64_t v = 0;
		int digits = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		while (*p >= '0' && *p <= '9' && digits < 11) {
			v = v * 10 + (uint64_t)(*p++ - '0');
			digits++;
		}
		if (!digits)
			break;
		if (v > UINT32_MAX || (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\0'))
			return -1;
		last = (uint32_t)v;
		count++;
	}
	if (!count)
		return -1;
	*inner = count > 1 ? last : 0;
	*levels = count - 1;
	return 0;
}

int fw_context_stat_starttime(const char *stat, uint64_t *ticks)
{
	const char *p = strrchr(stat, ')');
	int field;

	if (!p)
		return -1;
	p++;
	/* After the command: field 3 (state) on; 22 is the 20th. */
	for (field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return -1;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	while (*p == ' ')
		p++;
	{
		char num[24];
		size_t n = strcspn(p, " \n");

		if (n == 0 || n >= sizeof(num))
			return -1;
		memcpy(num, p, n);
		num[n] = '\0';
		return fw_parse_uint(num, 0, UINT64_MAX, ticks);
	}
}

bool fw_context_started_after(uint64_t start_ticks, long hz, uint64_t alert_boot_ns)
{
	uint64_t tick_ns, start_ns;

	if (hz <= 0)
		return false;
	tick_ns = 1000000000ULL / (uint64_t)hz;
	if (start_ticks > UINT64_MAX / tick_ns)
		return true;
	start_ns = start_ticks * tick_ns;
	/* The kernel rounds the start down to a tick: a tick's slack. */
	return start_ns > alert_boot_ns + tick_ns;
}

int fw_context_passwd_name(const char *line, uint32_t uid, char *out, size_t len)
{
	const char *c1 = strchr(line, ':'), *c2, *c3;
	char num[16];
	uint64_t v;
	size_t n, i;

	if (!c1 || c1 == line || line[0] == '+' || line[0] == '-') /* NIS compat lines */
		return -1;
	c2 = strchr(c1 + 1, ':');
	if (!c2)
		return -1;
	c3 = strchr(c2 + 1, ':');
	if (!c3)
		return -1;
	n = (size_t)(c3 - c2 - 1);
	if (n == 0 || n >= sizeof(num) || memchr(c2 + 1, '\n', n))
		return -1;
	memcpy(num, c2 + 1, n);
	num[n] = '\0';
	if (fw_parse_uint(num, 0, UINT32_MAX, &v) < 0 || v != uid)
		return -1;
	n = (size_t)(c1 - line);
	if (n >= len)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == ',' || c == '=')
			return -1; /* not a name to print as it is */
	}
	memcpy(out, line, n);
	out[n] = '\0';
	return 0;
}

static bool shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '@' || c == '%' || c == '+' || c == '=' || c == ':' || c == ',' ||
	       c == '.' || c == '/' || c == '-';
}

/* Appends s (k bytes) if it fits with room for "..." after it. */
static bool append(char *out, size_t len, size_t *o, const char *s, size_t k)
{
	if (*o + k + 4 > len)
		return false;
	memcpy(out + *o, s, k);
	*o += k;
	return true;
}

bool fw_context_escape_cmdline(const char *raw, size_t n, char *out, size_t len)
{
	size_t i = 0, o = 0, arg_start;
	bool cut = false;

	if (len == 0)
		return n > 0;
	out[0] = '\0';
	if (len < 4)
		return n > 0;
	/* A trailing NUL ends the last argument; the kernel may leave none. */
	while (n > 0 && raw[n - 1] == '\0')
		n--;
	while (i < n && !cut) {
		size_t end = i, j, before = o;
		bool safe = true;

		while (end < n && raw[end] != '\0')
			end++;
		for (j = i; j < end; j++)
			safe &= shell_safe((unsigned char)raw[j]);
		safe &= end > i;
		arg_start = o;
		if (arg_start > 0 && !append(out, len, &o, " ", 1)) {
			cut = true;
			break;
		}
		if (!safe && !append(out, len, &o, "'", 1)) {
			cut = true;
			o = before;
			break;
		}
		for (j = i; j < end && !cut; j++) {
			unsigned char c = (unsigned char)raw[j];
			char esc[8];

			if (c < 0x20 || c >= 0x7f || c == '\\') {
				snprintf(esc, sizeof(esc), "\\x%02x", c);
				cut = !append(out, len, &o, esc, 4);
			} else if (c == '\'') {
				cut = !append(out, len, &o, "'\\''", 4);
			} else {
				cut = !append(out, len, &o, (const char *)&c, 1);
			}
		}
		if (!cut && !safe && !append(out, len, &o, "'", 1))
			cut = true;
		i = end + 1;
	}
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return cut;
}

void fw_context_escape_path(const char *raw, char *out, size_t len)
{
	size_t i, o = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	if (len < 4)
		return;
	for (i = 0; raw[i]; i++) {
		unsigned char c = (unsigned char)raw[i];
		char esc[8];

		if (c < 0x20 || c >= 0x7f || c == '\\') {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			if (!append(out, len, &o, esc, 4))
				break;
		} else if (!append(out, len, &o, (const char *)&c, 1)) {
			break;
		}
	}
	if (raw[i]) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

void fw_context_from_cgroup(const char *text, struct fw_context *c)
{
	static char raw[4096]; /* one thread reads contexts (alerts) */
	char unit[FW_CTX_UNIT_LEN], slice[FW_CTX_UNIT_LEN];
	const char *h = fw_context_cgroup_choose(text, raw, sizeof(raw)), *rt;

	c->cgroup[0] = c->unit[0] = c->slice[0] = c->container[0] = '\0';
	c->hierarchy = "";
	c->runtime = "";
	if (!h)
		return;
	c->hierarchy = h;
	fw_context_escape_path(raw, c->cgroup, sizeof(c->cgroup));
	fw_context_systemd(raw, unit, sizeof(unit), slice, sizeof(slice));
	fw_context_escape_path(unit, c->unit, sizeof(c->unit));
	fw_context_escape_path(slice, c->slice, sizeof(c->slice));
	rt = fw_context_container(raw, c->container, sizeof(c->container));
	c->runtime = rt ? rt : "";
}

void fw_context_unit_label(const struct fw_context *c, char *out, size_t len)
{
	const char *u = c->unit;
	size_t n = strlen(u);

	if (c->runtime[0])
		snprintf(out, len, "container:%s", c->runtime);
	else if (!n)
		snprintf(out, len, "none");
	else if (starts_with(u, n, "session-") && ends_with(u, n, ".scope"))
		snprintf(out, len, "session.scope");
	else if (starts_with(u, n, "user@") && ends_with(u, n, ".service"))
		snprintf(out, len, "user@.service");
	else if (starts_with(u, n, "run-") && (ends_with(u, n, ".scope") || ends_with(u, n, ".service")))
		snprintf(out, len, "run-.%s", ends_with(u, n, ".scope") ? "scope" : "service");
	else
		snprintf(out, len, "%s", u);
}

size_t fw_unit_label_slot(struct fw_unit_labels *t, const char *label)
{
	uint32_t n = __atomic_load_n(&t->n, __ATOMIC_ACQUIRE), i;

	for (i = 0; i < n; i++)
		if (!strcmp(t->names[i], label))
			return i;
	if (n == FW_UNIT_LABELS_MAX || strlen(label) >= sizeof(t->names[0]))
		return FW_UNIT_LABELS_MAX;
	snprintf(t->names[n], sizeof(t->names[n]), "%s", label);
	__atomic_store_n(&t->n, n + 1, __ATOMIC_RELEASE);
	return n;
}
