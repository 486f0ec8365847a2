// SPDX-License-Identifier: GPL-2.0
#include "ex_lists.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

int ex_parse_comm(const char *s, char out[EX_COMM_LEN], char *err, size_t errlen)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= EX_COMM_LEN) {
		snprintf(err, errlen, "invalid command name '%s': 1 to %d characters (the kernel's comm)",
			 s, EX_COMM_LEN - 1);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!isprint((unsigned char)s[i]) || s[i] == ',' || s[i] == '=') {
			snprintf(err, errlen, "invalid command name '%s': printable, no ',' or '='", s);
			return -1;
		}
	memset(out, 0, EX_COMM_LEN);
	memcpy(out, s, n);
	return 0;
}

int ex_parse_bytes(const char *s, uint64_t *out, char *err, size_t errlen)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
		{ "", 0 },     { "B", 0 },    { "K", 10 },   { "KB", 10 }, { "KiB", 10 },
		{ "M", 20 },   { "MB", 20 },  { "MiB", 20 }, { "G", 30 },  { "GB", 30 },
		{ "GiB", 30 }, { "T", 40 },   { "TB", 40 },  { "TiB", 40 },
	};
	char digits[32];
	size_t n = 0, i;
	uint64_t v;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0 || n >= sizeof(digits))
		goto bad;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (fw_parse_uint(digits, 0, UINT64_MAX, &v) < 0)
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(s + n, units[i].suffix))
			continue;
		if (v == 0) {
			snprintf(err, errlen, "invalid size '%s': must be at least 1 byte", s);
			return -1;
		}
		if (units[i].shift && v > (UINT64_MAX >> units[i].shift)) {
			snprintf(err, errlen, "invalid size '%s': too large", s);
			return -1;
		}
		*out = v << units[i].shift;
		return 0;
	}
bad:
	snprintf(err, errlen, "invalid size '%s': a whole number with an optional K, M, G or T", s);
	return -1;
}

int ex_parse_comm_limit(const char *s, char comm[EX_COMM_LEN], uint64_t *bytes, char *err,
			size_t errlen)
{
	const char *eq = strchr(s, '=');
	char name[64];

	if (!eq || eq == s || !eq[1] || (size_t)(eq - s) >= sizeof(name)) {
		snprintf(err, errlen, "invalid limit '%s': expected COMM=BYTES, like postgres=512M", s);
		return -1;
	}
	memcpy(name, s, (size_t)(eq - s));
	name[eq - s] = '\0';
	if (ex_parse_comm(name, comm, err, errlen) < 0)
		return -1;
	return ex_parse_bytes(eq + 1, bytes, err, errlen);
}

int ex_check_path(const char *s, char *err, size_t errlen)
{
	const char *c = s;

	if (s[0] != '/') {
		snprintf(err, errlen, "invalid path '%s': must be absolute", s);
		return -1;
	}
	if (strlen(s) >= EX_PATH_LEN) {
		snprintf(err, errlen, "invalid path: longer than %d bytes", EX_PATH_LEN - 1);
		return -1;
	}
	if (!strcmp(s, "/")) {
		snprintf(err, errlen, "invalid path '/': name a file or directory below it");
		return -1;
	}
	while (*c == '/') {
		const char *next = strchr(c + 1, '/');
		size_t len = next ? (size_t)(next - c - 1) : strlen(c + 1);

		if (len == 0 || (len == 1 && c[1] == '.') || (len == 2 && c[1] == '.' && c[2] == '.')) {
			snprintf(err, errlen,
				 "invalid path '%s': write it plainly (no '//', '.', '..' or trailing '/'), "
				 "as programs pass it to open",
				 s);
			return -1;
		}
		if (!next)
			break;
		c = next;
	}
	return 0;
}

int ex_parse_ipv4_prefix(const char *s, uint32_t *addr_be, unsigned *prefix_len, char *err,
			 size_t errlen)
{
	char buf[INET_ADDRSTRLEN + 4];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	uint64_t len = 32;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= INET_ADDRSTRLEN)
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		goto bad;
	if (slash && fw_parse_uint(slash + 1, 0, 32, &len) < 0)
		goto bad;
	*prefix_len = (unsigned)len;
	*addr_be = len == 0 ? 0 : a.s_addr & htonl(0xffffffffu << (32 - len));
	return 0;
bad:
	snprintf(err, errlen, "invalid address '%s': expected IPv4 like 10.0.0.7 or 10.0.0.0/24", s);
	return -1;
}

int ex_parse_port_rule(const char *s, struct ex_port_rule *r, char *err, size_t errlen)
{
	char buf[32], *slash, *dash;
	uint64_t lo, hi;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	memset(r, 0, sizeof(*r));
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (!strcmp(slash, "tcp"))
			r->tcp = true;
		else if (!strcmp(slash, "udp"))
			r->udp = true;
		else
			goto bad;
	} else {
		r->tcp = r->udp = true;
	}
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (fw_parse_uint(buf, 1, 65535, &lo) < 0)
		goto bad;
	hi = lo;
	if (dash && (fw_parse_uint(dash, 1, 65535, &hi) < 0 || hi < lo))
		goto bad;
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
bad:
	snprintf(err, errlen,
		 "invalid port '%s': expected PORT or LOW-HIGH (1-65535), optionally /tcp or /udp", s);
	return -1;
}

int ex_each_item(char *s, int (*fn)(const char *item, void *ctx, char *err, size_t errlen),
		 void *ctx, char *err, size_t errlen)
{
	char *item = s;

	for (;;) {
		char *comma = strchr(item, ',');

		if (comma)
			*comma = '\0';
		if (!*item) {
			snprintf(err, errlen, "empty item in a comma-separated list");
			return -1;
		}
		if (fn(item, ctx, err, errlen) < 0)
			return -1;
		if (!comma)
			return 0;
		item = comma + 1;
	}
}

void ex_format_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}
