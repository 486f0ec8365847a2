// SPDX-License-Identifier: GPL-2.0
/* The enforcement examples' list parsing: what reaches their BPF maps. */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "ex_lists.h"

static char err[512];

static void test_comm(void)
{
	char c[EX_COMM_LEN];

	CHECK(ex_parse_comm("postgres", c, err, sizeof(err)) == 0);
	CHECK_STR(c, "postgres");
	CHECK(c[15] == 0 && c[8] == 0);
	CHECK(ex_parse_comm("123456789012345", c, err, sizeof(err)) == 0);
	CHECK(ex_parse_comm("1234567890123456", c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "1 to 15 characters") != NULL);
	CHECK(ex_parse_comm("", c, err, sizeof(err)) < 0);
	CHECK(ex_parse_comm("a=b", c, err, sizeof(err)) < 0);
	CHECK(ex_parse_comm("a,b", c, err, sizeof(err)) < 0);
	CHECK(ex_parse_comm("tab\there", c, err, sizeof(err)) < 0);
	CHECK(ex_parse_comm("kworker/0:1", c, err, sizeof(err)) == 0);
}

static void test_bytes(void)
{
	uint64_t v = 0;

	CHECK(ex_parse_bytes("4096", &v, err, sizeof(err)) == 0 && v == 4096);
	CHECK(ex_parse_bytes("64K", &v, err, sizeof(err)) == 0 && v == 65536);
	CHECK(ex_parse_bytes("512M", &v, err, sizeof(err)) == 0 && v == 512ULL << 20);
	CHECK(ex_parse_bytes("512MiB", &v, err, sizeof(err)) == 0 && v == 512ULL << 20);
	CHECK(ex_parse_bytes("2g", &v, err, sizeof(err)) == 0 && v == 2ULL << 30);
	CHECK(ex_parse_bytes("1T", &v, err, sizeof(err)) == 0 && v == 1ULL << 40);
	CHECK(ex_parse_bytes("0", &v, err, sizeof(err)) < 0);
	CHECK(strstr(err, "at least 1 byte") != NULL);
	CHECK(ex_parse_bytes("", &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_bytes("M", &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_bytes("1.5G", &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_bytes("-1", &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_bytes("12X", &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_bytes("1 M", &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_bytes("99999999999T", &v, err, sizeof(err)) < 0); /* overflows */
	CHECK(strstr(err, "too large") != NULL);
	CHECK(ex_parse_bytes("18446744073709551616", &v, err, sizeof(err)) < 0);
}

static void test_comm_limit(void)
{
	char c[EX_COMM_LEN];
	uint64_t v = 0;

	CHECK(ex_parse_comm_limit("java=512M", c, &v, err, sizeof(err)) == 0);
	CHECK_STR(c, "java");
	CHECK_EQ_U(v, 512ULL << 20);
	CHECK(ex_parse_comm_limit("java", c, &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_comm_limit("=1M", c, &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_comm_limit("java=", c, &v, err, sizeof(err)) < 0);
	CHECK(ex_parse_comm_limit("java=1M=2M", c, &v, err, sizeof(err)) < 0);
}

static void test_paths(void)
{
	char longp[300];

	CHECK(ex_check_path("/etc/shadow", err, sizeof(err)) == 0);
	CHECK(ex_check_path("/srv/secrets", err, sizeof(err)) == 0);
	CHECK(ex_check_path("/a/.hidden", err, sizeof(err)) == 0);
	CHECK(ex_check_path("/a/..b", err, sizeof(err)) == 0);
	CHECK(ex_check_path("etc/shadow", err, sizeof(err)) < 0);
	CHECK(ex_check_path("/", err, sizeof(err)) < 0);
	CHECK(ex_check_path("/etc/", err, sizeof(err)) < 0);
	CHECK(ex_check_path("//etc", err, sizeof(err)) < 0);
	CHECK(ex_check_path("/etc//shadow", err, sizeof(err)) < 0);
	CHECK(ex_check_path("/etc/./shadow", err, sizeof(err)) < 0);
	CHECK(ex_check_path("/etc/../shadow", err, sizeof(err)) < 0);
	CHECK(ex_check_path("/etc/..", err, sizeof(err)) < 0);
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[EX_PATH_LEN - 1] = '\0'; /* 255 bytes: fits */
	CHECK(ex_check_path(longp, err, sizeof(err)) == 0);
	longp[EX_PATH_LEN - 1] = 'a';
	longp[EX_PATH_LEN] = '\0';
	CHECK(ex_check_path(longp, err, sizeof(err)) < 0);
}

static void test_ipv4(void)
{
	uint32_t a = 0;
	unsigned len = 99;

	CHECK(ex_parse_ipv4_prefix("10.0.0.7", &a, &len, err, sizeof(err)) == 0);
	CHECK(a == inet_addr("10.0.0.7") && len == 32);
	CHECK(ex_parse_ipv4_prefix("10.1.2.3/24", &a, &len, err, sizeof(err)) == 0);
	CHECK(a == inet_addr("10.1.2.0") && len == 24); /* host bits cleared */
	CHECK(ex_parse_ipv4_prefix("0.0.0.0/0", &a, &len, err, sizeof(err)) == 0);
	CHECK(a == 0 && len == 0);
	CHECK(ex_parse_ipv4_prefix("192.168.1.255/31", &a, &len, err, sizeof(err)) == 0);
	CHECK(a == inet_addr("192.168.1.254"));
	CHECK(ex_parse_ipv4_prefix("10.0.0.300", &a, &len, err, sizeof(err)) < 0);
	CHECK(ex_parse_ipv4_prefix("10.0.0.0/33", &a, &len, err, sizeof(err)) < 0);
	CHECK(ex_parse_ipv4_prefix("10.0.0.0/", &a, &len, err, sizeof(err)) < 0);
	CHECK(ex_parse_ipv4_prefix("10.0.0.0/-1", &a, &len, err, sizeof(err)) < 0);
	CHECK(ex_parse_ipv4_prefix("/24", &a, &len, err, sizeof(err)) < 0);
	CHECK(ex_parse_ipv4_prefix("::1", &a, &len, err, sizeof(err)) < 0);
	CHECK(ex_parse_ipv4_prefix("host.example", &a, &len, err, sizeof(err)) < 0);
}

static void test_ports(void)
{
	struct ex_port_rule r;

	CHECK(ex_parse_port_rule("22", &r, err, sizeof(err)) == 0);
	CHECK(r.lo == 22 && r.hi == 22 && r.tcp && r.udp);
	CHECK(ex_parse_port_rule("53/udp", &r, err, sizeof(err)) == 0);
	CHECK(r.lo == 53 && !r.tcp && r.udp);
	CHECK(ex_parse_port_rule("8000-8010/tcp", &r, err, sizeof(err)) == 0);
	CHECK(r.lo == 8000 && r.hi == 8010 && r.tcp && !r.udp);
	CHECK(ex_parse_port_rule("65535", &r, err, sizeof(err)) == 0);
	CHECK(ex_parse_port_rule("0", &r, err, sizeof(err)) < 0);
	CHECK(ex_parse_port_rule("65536", &r, err, sizeof(err)) < 0);
	CHECK(ex_parse_port_rule("90-80", &r, err, sizeof(err)) < 0);
	CHECK(ex_parse_port_rule("22/icmp", &r, err, sizeof(err)) < 0);
	CHECK(ex_parse_port_rule("22/", &r, err, sizeof(err)) < 0);
	CHECK(ex_parse_port_rule("ssh", &r, err, sizeof(err)) < 0);
	CHECK(ex_parse_port_rule("22-", &r, err, sizeof(err)) < 0);
}

static int count_item(const char *item, void *ctx, char *e, size_t elen)
{
	(void)e;
	(void)elen;
	if (!strcmp(item, "bad")) {
		snprintf(e, elen, "bad item");
		return -1;
	}
	(*(int *)ctx)++;
	return 0;
}

static void test_items(void)
{
	char s1[] = "a,b,c", s2[] = "a,,b", s3[] = "a,bad,c", s4[] = "", s5[] = "a,";
	int n = 0;

	CHECK(ex_each_item(s1, count_item, &n, err, sizeof(err)) == 0 && n == 3);
	n = 0;
	CHECK(ex_each_item(s2, count_item, &n, err, sizeof(err)) < 0);
	CHECK(strstr(err, "empty item") != NULL);
	n = 0;
	CHECK(ex_each_item(s3, count_item, &n, err, sizeof(err)) < 0 && n == 1);
	CHECK_STR(err, "bad item");
	CHECK(ex_each_item(s4, count_item, &n, err, sizeof(err)) < 0);
	CHECK(ex_each_item(s5, count_item, &n, err, sizeof(err)) < 0);
}

static void test_format(void)
{
	char b[32];

	ex_format_bytes(4096, b, sizeof(b));
	CHECK_STR(b, "4 KiB");
	ex_format_bytes(1000, b, sizeof(b));
	CHECK_STR(b, "1000 B");
	ex_format_bytes(512ULL << 20, b, sizeof(b));
	CHECK_STR(b, "512 MiB");
	ex_format_bytes(3ULL << 29, b, sizeof(b));
	CHECK_STR(b, "1.5 GiB");
	ex_format_bytes(5ULL << 40, b, sizeof(b));
	CHECK_STR(b, "5 TiB");
}

int main(void)
{
	test_comm();
	test_bytes();
	test_comm_limit();
	test_paths();
	test_ipv4();
	test_ports();
	test_items();
	test_format();
	CHECK_DONE();
}
