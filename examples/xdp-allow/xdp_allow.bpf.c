// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-allow's program: on one interface, only IPv4 TCP and UDP from
 * allowed sources to allowed destination ports pass (and ARP, which IPv4
 * needs; ICMP and IPv6 when asked). Everything else is dropped before the
 * stack sees it, and every packet is counted under one verdict.
 */
#include <uapi/linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>

BPF_LPM_TRIE(sources, struct xa_lpm_key, u8, XA_MAX_SOURCES);
BPF_ARRAY(ports, u8, 65536);
BPF_ARRAY(flags, u32, 1);
BPF_PERCPU_ARRAY(verdicts, u64, XA_VERDICTS);

static __always_inline int xa_count(int verdict, int action)
{
	u64 *c = verdicts.lookup(&verdict);

	if (c)
		(*c)++;
	return action;
}

int xdp_allow(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xa_lpm_key key;
	struct iphdr *ip;
	int zero = 0, port;
	u32 *f = flags.lookup(&zero), mode;
	u8 *allowed;
	u16 dport;

	if (!f)
		return XDP_PASS;
	mode = *f;
	if ((void *)(eth + 1) > end)
		return xa_count(XA_DROP_MALFORMED, XDP_DROP);
	if (eth->h_proto == htons(ETH_P_ARP))
		return xa_count(XA_PASS_ARP, XDP_PASS);
	if (eth->h_proto == htons(ETH_P_IPV6))
		return mode & XA_IPV6 ? xa_count(XA_PASS_IPV6, XDP_PASS)
				      : xa_count(XA_DROP_IPV6, XDP_DROP);
	if (eth->h_proto != htons(ETH_P_IP))
		return xa_count(XA_DROP_OTHER, XDP_DROP);
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl < 5)
		return xa_count(XA_DROP_MALFORMED, XDP_DROP);
	if (!(mode & XA_ANY_SOURCE)) {
		key.prefix_len = 32;
		key.addr = ip->saddr;
		if (!sources.lookup(&key))
			return xa_count(XA_DROP_SOURCE, XDP_DROP);
	}
	if (ip->protocol == IPPROTO_ICMP)
		return mode & XA_ICMP ? xa_count(XA_PASS_ICMP, XDP_PASS)
				      : xa_count(XA_DROP_PROTOCOL, XDP_DROP);
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return xa_count(XA_DROP_PROTOCOL, XDP_DROP);
	if (ip->frag_off & htons(0x1fff)) /* the offset: not the first fragment */
		return xa_count(XA_DROP_FRAGMENT, XDP_DROP);
	if (mode & XA_ANY_PORT)
		return xa_count(XA_PASS_ALLOWED, XDP_PASS);
	/* Both headers start with the ports: source, then destination. */
	{
		__be16 *l4 = (void *)ip + ip->ihl * 4;

		if ((void *)(l4 + 2) > end)
			return xa_count(XA_DROP_MALFORMED, XDP_DROP);
		dport = ntohs(l4[1]);
	}
	port = dport;
	allowed = ports.lookup(&port);
	if (allowed && (*allowed & (ip->protocol == IPPROTO_TCP ? XA_PORT_TCP : XA_PORT_UDP)))
		return xa_count(XA_PASS_ALLOWED, XDP_PASS);
	return xa_count(XA_DROP_PORT, XDP_DROP);
}
