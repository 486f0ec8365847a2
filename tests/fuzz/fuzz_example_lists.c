// SPDX-License-Identifier: GPL-2.0
/* The enforcement examples' list arguments (examples/common/ex_lists.c),
 * what reaches their BPF maps: the first byte picks the parser, the rest is
 * a comma-separated list, split by ex_each_item as the examples split
 * theirs (file-guard's --allow, xdp-allow's --allow and --port, ...), plus
 * mem-limit's COMM=BYTES. What is accepted must be what the grammar in
 * ex_lists.h says, and come back in the form the maps take. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>

#include "ex_lists.h"
#include "fuzz.h"

/* DIGITS[K|M|G|T][B|iB] (any case), at least 1 byte, exactly. */
static bool ref_bytes(const char *s, uint64_t *out)
{
	static const char *const units[] = { "", "K", "M", "G", "T" };
	unsigned __int128 v = 0;
	size_t n = 0, i;

	while (isdigit((unsigned char)s[n])) {
		v = v * 10 + (unsigned)(s[n++] - '0');
		if (v > UINT64_MAX || n >= 32)
			return false;
	}
	if (n == 0 || v == 0)
		return false;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char b[8], ib[8];

		snprintf(b, sizeof(b), "%sB", units[i]);
		snprintf(ib, sizeof(ib), "%siB", units[i]);
		if (strcasecmp(s + n, units[i]) && strcasecmp(s + n, b) && (i == 0 || strcasecmp(s + n, ib)))
			continue;
		v <<= 10 * i;
		if (v > UINT64_MAX)
			return false;
		*out = (uint64_t)v;
		return true;
	}
	return false;
}

static void check_comm(const char *item, const char comm[EX_COMM_LEN])
{
	size_t n = strnlen(comm, EX_COMM_LEN), i;

	FUZZ_CHECK(n >= 1 && n < EX_COMM_LEN && !strncmp(comm, item, n));
	for (i = n; i < EX_COMM_LEN; i++) /* NUL-padded: the map key is all 16 bytes */
		FUZZ_CHECK(comm[i] == '\0');
	for (i = 0; i < n; i++)
		FUZZ_CHECK(isprint((unsigned char)comm[i]) && comm[i] != ',' && comm[i] != '=');
}

static void check_bytes(const char *text, uint64_t v)
{
	uint64_t want;
	char shown[64];

	FUZZ_CHECK(ref_bytes(text, &want) && v == want);
	ex_format_bytes(v, shown, sizeof(shown));
	FUZZ_CHECK(shown[0] && fuzz_terminated(shown, sizeof(shown)));
}

static int comm_item(const char *item, void *ctx, char *err, size_t errlen)
{
	char comm[EX_COMM_LEN];
	int r = ex_parse_comm(item, comm, err, errlen);

	(void)ctx;
	if (r == 0)
		check_comm(item, comm);
	return r;
}

static int bytes_item(const char *item, void *ctx, char *err, size_t errlen)
{
	uint64_t v, want;
	int r = ex_parse_bytes(item, &v, err, errlen);

	(void)ctx;
	if (r == 0)
		check_bytes(item, v);
	else
		FUZZ_CHECK(!ref_bytes(item, &want));
	return r;
}

static int comm_limit_item(const char *item, void *ctx, char *err, size_t errlen)
{
	char comm[EX_COMM_LEN];
	uint64_t v;
	int r = ex_parse_comm_limit(item, comm, &v, err, errlen);

	(void)ctx;
	if (r == 0) {
		const char *eq = strchr(item, '=');

		FUZZ_CHECK(eq && (size_t)(eq - item) == strlen(comm));
		check_comm(item, comm);
		check_bytes(eq + 1, v);
	}
	return r;
}

static int path_item(const char *item, void *ctx, char *err, size_t errlen)
{
	int r = ex_check_path(item, err, errlen);
	size_t n = strlen(item);

	(void)ctx;
	if (r == 0) {
		/* Plain, as programs pass it to open: what the guard compares. */
		FUZZ_CHECK(item[0] == '/' && n > 1 && n < EX_PATH_LEN && item[n - 1] != '/');
		FUZZ_CHECK(!strstr(item, "//") && !strstr(item, "/./") && !strstr(item, "/../"));
		FUZZ_CHECK(strcmp(item + n - 2, "/.") && (n < 3 || strcmp(item + n - 3, "/..")));
	}
	return r;
}

static int prefix_item(const char *item, void *ctx, char *err, size_t errlen)
{
	uint32_t addr;
	unsigned len;
	int r = ex_parse_ipv4_prefix(item, &addr, &len, err, errlen);

	(void)ctx;
	if (r == 0) {
		uint32_t host_bits = len == 32 ? 0 : 0xffffffffu >> len;
		struct in_addr a;
		char text[INET_ADDRSTRLEN + 4];
		const char *slash = strchr(item, '/');
		size_t n = slash ? (size_t)(slash - item) : strlen(item);

		FUZZ_CHECK(len <= 32 && (ntohl(addr) & host_bits) == 0);
		/* The address part is one inet_pton reads, masked. */
		FUZZ_CHECK(n < sizeof(text));
		memcpy(text, item, n);
		text[n] = '\0';
		FUZZ_CHECK(inet_pton(AF_INET, text, &a) == 1);
		FUZZ_CHECK((ntohl(a.s_addr) & ~host_bits) == ntohl(addr));
	}
	return r;
}

static int port_item(const char *item, void *ctx, char *err, size_t errlen)
{
	struct ex_port_rule rule;
	int r = ex_parse_port_rule(item, &rule, err, errlen);

	(void)ctx;
	if (r == 0)
		FUZZ_CHECK(rule.lo >= 1 && rule.lo <= rule.hi && (rule.tcp || rule.udp));
	return r;
}

static int (*const parsers[])(const char *, void *, char *, size_t) = {
	comm_item, bytes_item, comm_limit_item, path_item, prefix_item, port_item,
};

static int count_item(const char *item, void *ctx, char *err, size_t errlen)
{
	(void)item;
	(void)err;
	(void)errlen;
	++*(size_t *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list, err[512];
	size_t commas = 0, items = 0, i;
	int r;

	if (size < 1)
		return 0;
	list = fuzz_strndup(data + 1, size - 1);
	for (i = 0; list[i]; i++)
		commas += list[i] == ',';
	r = ex_each_item(list, parsers[data[0] % (sizeof(parsers) / sizeof(parsers[0]))], NULL,
			 err, sizeof(err));
	if (r < 0)
		FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)));
	free(list);

	/* The split itself: every item is seen once, and an empty one is refused. */
	list = fuzz_strndup(data + 1, size - 1);
	r = ex_each_item(list, count_item, &items, err, sizeof(err));
	if (r == 0)
		FUZZ_CHECK(items == commas + 1);
	else
		FUZZ_CHECK(items <= commas && strstr(err, "empty item"));
	free(list);
	return 0;
}
