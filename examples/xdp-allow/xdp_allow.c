// SPDX-License-Identifier: GPL-2.0
/*
 * fw-xdp-allow: an allow-list on one network interface, in XDP. IPv4 TCP
 * and UDP pass when they come from an allowed source and go to an allowed
 * destination port; the rest is dropped before the stack sees it, counted
 * per reason. Detaching (Ctrl-C) restores the interface as it was.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <linux/if_link.h>
#include <linux/types.h>

#include "ex_common.h"
#include "ex_lists.h"
#include "util.h"
#include "xdp_allow.h"

extern const char xdp_allow_probe_source[];

enum xdp_mode { XDP_AUTO, XDP_NATIVE, XDP_GENERIC };

static const char *const verdict_names[XA_VERDICTS] = {
	[XA_PASS_ALLOWED] = "pass  allowed (source and port)",
	[XA_PASS_ICMP] = "pass  icmp from an allowed source",
	[XA_PASS_ARP] = "pass  arp",
	[XA_PASS_IPV6] = "pass  ipv6",
	[XA_DROP_SOURCE] = "drop  source not allowed",
	[XA_DROP_PORT] = "drop  port not allowed",
	[XA_DROP_PROTOCOL] = "drop  other ip protocol",
	[XA_DROP_FRAGMENT] = "drop  later fragment",
	[XA_DROP_IPV6] = "drop  ipv6",
	[XA_DROP_OTHER] = "drop  other ethertype",
	[XA_DROP_MALFORMED] = "drop  malformed",
};

static struct {
	char ifname[IF_NAMESIZE];
	struct xa_lpm_key sources[XA_MAX_SOURCES];
	char source_text[XA_MAX_SOURCES][24];
	size_t nsources;
	__u8 ports[65536];
	size_t nport_rules;
	char port_text[1024];
	bool icmp, ipv6;
	enum xdp_mode xdp_mode;
	unsigned interval;
	struct ex_options common;
} opt;

static volatile sig_atomic_t print_now;

static void on_usr1(int sig)
{
	(void)sig;
	print_now = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fw-xdp-allow [OPTIONS] -i IFACE\n"
		"\n"
		"An allow-list on one interface, in XDP: IPv4 TCP and UDP pass when they come from\n"
		"an allowed source and go to an allowed destination port. ARP passes (IPv4 needs\n"
		"it); the rest is dropped before the network stack sees it, and counted per\n"
		"reason. The counters print at the end, every --interval, and on SIGUSR1.\n"
		"Ctrl-C detaches, which restores the interface.\n"
		"\n"
		"Options:\n"
		"  -i, --interface IFACE       the interface (required)\n"
		"  -s, --allow-src ADDR[,...]  allowed IPv4 sources, 10.0.0.7 or 10.0.0.0/24\n"
		"                              (repeatable; without it, every source)\n"
		"  -p, --allow-port PORT[,...] allowed destination ports: 22, 53/udp,\n"
		"                              8000-8100/tcp (repeatable; without it, every\n"
		"                              port). At least one of -s and -p is needed.\n"
		"      --allow-icmp            ICMP from allowed sources passes (ping)\n"
		"      --pass-ipv6             IPv6 passes untouched (default: dropped)\n"
		"  -M, --xdp-mode MODE         native (in the driver), generic (in the stack),\n"
		"                              or auto: native, else generic (default)\n"
		"  -I, --interval SECONDS      print the counters this often\n"
		"  -o, --log FILE              also append every counter table to FILE\n"
		EX_USAGE_COMMON
		"\n"
		"Examples:\n"
		"  fw-xdp-allow -i eth1 -s 10.0.0.0/8 -p 22/tcp        # ssh from 10/8 only\n"
		"  fw-xdp-allow -i eth1 -p 80/tcp,443/tcp,53/udp --allow-icmp -I 10\n"
		"\n"
		"Use it on an interface you can reach another way (or in a network namespace):\n"
		"replies to this host's own connections must be allowed too.\n"
		"\n"
		"Exit status: 0 after a clean detach, 1 not root, 2 bad arguments, 4 no kernel\n"
		"headers, 5 the program did not compile, load or attach (an interface that\n"
		"already has an XDP program is left alone).\n");
}

static int add_source(const char *item, void *ctx, char *err, size_t errlen)
{
	struct xa_lpm_key *k;
	unsigned len;

	(void)ctx;
	if (opt.nsources == XA_MAX_SOURCES) {
		snprintf(err, errlen, "too many --allow-src entries (at most %d)", XA_MAX_SOURCES);
		return -1;
	}
	k = &opt.sources[opt.nsources];
	if (ex_parse_ipv4_prefix(item, &k->addr, &len, err, errlen) < 0)
		return -1;
	k->prefix_len = len;
	snprintf(opt.source_text[opt.nsources], sizeof(opt.source_text[0]), "%s", item);
	opt.nsources++;
	return 0;
}

static int add_port(const char *item, void *ctx, char *err, size_t errlen)
{
	struct ex_port_rule r;
	unsigned p;

	(void)ctx;
	if (ex_parse_port_rule(item, &r, err, errlen) < 0)
		return -1;
	for (p = r.lo; p <= r.hi; p++)
		opt.ports[p] |= (r.tcp ? XA_PORT_TCP : 0) | (r.udp ? XA_PORT_UDP : 0);
	opt.nport_rules++;
	if (strlen(opt.port_text) + strlen(item) + 2 < sizeof(opt.port_text))
		snprintf(opt.port_text + strlen(opt.port_text),
			 sizeof(opt.port_text) - strlen(opt.port_text), "%s%s",
			 opt.port_text[0] ? "," : "", item);
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "allow-src", required_argument, NULL, 's' },
		{ "allow-port", required_argument, NULL, 'p' },
		{ "allow-icmp", no_argument, NULL, 'C' },
		{ "pass-ipv6", no_argument, NULL, '6' },
		{ "xdp-mode", required_argument, NULL, 'M' },
		{ "interval", required_argument, NULL, 'I' },
		EX_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	char err[512], buf[4096];
	uint64_t v;
	int c, rc;

	opt.common.usage = usage;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:s:p:M:I:" EX_SHORTOPTS, longopts, NULL)) != -1) {
		rc = ex_option(c, argv, &opt.common, err, sizeof(err));
		if (rc < 0)
			goto bad;
		if (rc > 0)
			continue;
		switch (c) {
		case 'i':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE) {
				snprintf(err, sizeof(err), "invalid interface name '%s'", optarg);
				goto bad;
			}
			snprintf(opt.ifname, sizeof(opt.ifname), "%s", optarg);
			break;
		case 's':
		case 'p':
			snprintf(buf, sizeof(buf), "%s", optarg);
			if (ex_each_item(buf, c == 's' ? add_source : add_port, NULL, err, sizeof(err)) < 0)
				goto bad;
			break;
		case 'C':
			opt.icmp = true;
			break;
		case '6':
			opt.ipv6 = true;
			break;
		case 'M':
			if (!strcmp(optarg, "auto"))
				opt.xdp_mode = XDP_AUTO;
			else if (!strcmp(optarg, "native"))
				opt.xdp_mode = XDP_NATIVE;
			else if (!strcmp(optarg, "generic"))
				opt.xdp_mode = XDP_GENERIC;
			else {
				snprintf(err, sizeof(err), "invalid --xdp-mode '%s': auto, native or generic",
					 optarg);
				goto bad;
			}
			break;
		case 'I':
			if (fw_parse_uint(optarg, 1, 86400, &v) < 0) {
				snprintf(err, sizeof(err), "invalid --interval '%s': whole seconds, at least 1",
					 optarg);
				goto bad;
			}
			opt.interval = (unsigned)v;
			break;
		}
	}
	if (optind < argc) {
		snprintf(err, sizeof(err), "unexpected argument '%s' (see --help)", argv[optind]);
		goto bad;
	}
	if (!opt.ifname[0]) {
		snprintf(err, sizeof(err), "no interface given: -i IFACE (see --help)");
		goto bad;
	}
	if (!opt.nsources && !opt.nport_rules) {
		snprintf(err, sizeof(err), "nothing to allow: give --allow-src, --allow-port or both");
		goto bad;
	}
	if (!if_nametoindex(opt.ifname)) {
		snprintf(err, sizeof(err), "no interface '%s' here", opt.ifname);
		goto bad;
	}
	return 0;
bad:
	ex_fail("%s", err);
	return -1;
}

static void print_counters(void *cookie)
{
	int fd = *(int *)cookie, i;
	uint64_t pass = 0, drop = 0, n[XA_VERDICTS];

	for (i = 0; i < XA_VERDICTS; i++) {
		n[i] = ex_percpu_sum(fd, (uint32_t)i);
		*(i <= XA_PASS_IPV6 ? &pass : &drop) += n[i];
	}
	ex_log("packets on %s: %llu passed, %llu dropped", opt.ifname, (unsigned long long)pass,
	       (unsigned long long)drop);
	for (i = 0; i < XA_VERDICTS; i++)
		ex_log_line("  %-36s %llu", verdict_names[i], (unsigned long long)n[i]);
}

/* Every 200 ms: the counters on SIGUSR1, and every --interval. */
static void tick(void *cookie)
{
	static uint64_t last;
	uint64_t now = fw_mono_ns();

	if (!last)
		last = now;
	if (print_now || (opt.interval && now - last >= opt.interval * 1000000000ULL)) {
		print_now = 0;
		last = now;
		print_counters(cookie);
	}
}

static int attach(struct fw_bpf *b, const char **mode_name)
{
	unsigned int base = XDP_FLAGS_UPDATE_IF_NOEXIST;

	if (opt.xdp_mode != XDP_GENERIC) {
		if (fw_bpf_attach_xdp(b, "xdp_allow", opt.ifname, base | XDP_FLAGS_DRV_MODE) == 0) {
			*mode_name = "native";
			return 0;
		}
		if (errno == EBUSY || errno == EEXIST || opt.xdp_mode == XDP_NATIVE)
			return -1;
	}
	if (fw_bpf_attach_xdp(b, "xdp_allow", opt.ifname, base | XDP_FLAGS_SKB_MODE) == 0) {
		*mode_name = "generic";
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	const char *mode_name = "?";
	struct ex_kernel k;
	struct fw_bpf b;
	int rc, counters, fd, zero = 0;
	__u32 flags = 0, p;
	size_t i;
	__u8 one = 1;

	if (parse_args(argc, argv) < 0)
		return FW_EXIT_USAGE;
	rc = ex_kernel_setup(&k, &opt.common);
	if (rc != FW_EXIT_OK)
		return rc;
	rc = ex_compile(&b, xdp_allow_probe_source, NULL, 0, opt.common.verbose);
	if (rc != FW_EXIT_OK)
		return rc;
	counters = fw_bpf_table_fd(&b, "verdicts");
	fd = fw_bpf_table_fd(&b, "sources");
	for (i = 0; fd >= 0 && i < opt.nsources; i++)
		if (bpf_update_elem(fd, &opt.sources[i], &one, 0) < 0)
			fd = -1;
	rc = fd < 0 ? -1 : 0;
	fd = fw_bpf_table_fd(&b, "ports");
	for (p = 0; rc == 0 && fd >= 0 && p < 65536; p++)
		if (opt.ports[p] && bpf_update_elem(fd, &p, &opt.ports[p], 0) < 0)
			rc = -1;
	flags = (opt.nsources ? 0 : XA_ANY_SOURCE) | (opt.nport_rules ? 0 : XA_ANY_PORT) |
		(opt.icmp ? XA_ICMP : 0) | (opt.ipv6 ? XA_IPV6 : 0);
	fd = fw_bpf_table_fd(&b, "flags");
	if (rc < 0 || fd < 0 || bpf_update_elem(fd, &zero, &flags, 0) < 0)
		return ex_abort(&b, "cannot fill the program's maps: %s", strerror(errno));
	if (attach(&b, &mode_name) < 0) {
		if (errno == EBUSY || errno == EEXIST)
			return ex_abort(&b, "%s already has an XDP program; it is left alone (detach it first)",
					opt.ifname);
		return ex_abort(&b, "cannot attach to %s%s: %s", opt.ifname,
				opt.xdp_mode == XDP_NATIVE ? " in native mode" : "",
				b.last_error[0] ? b.last_error : strerror(errno));
	}
	rc = ex_start(&b, NULL, opt.common.duration, true);
	if (rc != FW_EXIT_OK)
		return rc;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	fprintf(stderr, "fw-xdp-allow: attached to %s (%s XDP); sources: ", opt.ifname, mode_name);
	for (i = 0; i < opt.nsources; i++)
		fprintf(stderr, "%s%s", i ? "," : "", opt.source_text[i]);
	fprintf(stderr, "%s; ports: %s%s%s; Ctrl-C to detach\n", opt.nsources ? "" : "any",
		opt.nport_rules ? opt.port_text : "any", opt.icmp ? "; icmp from allowed sources" : "",
		opt.ipv6 ? "; ipv6 passes" : "");

	ex_poll_until_stopped(&b, tick, &counters, 200);
	print_counters(&counters);
	fw_bpf_close(&b);
	ex_log_close();
	fprintf(stderr, "fw-xdp-allow: detached from %s\n", opt.ifname);
	return FW_EXIT_OK;
}
