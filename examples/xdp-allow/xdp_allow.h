/* SPDX-License-Identifier: GPL-2.0 */
/* What xdp_allow.bpf.c and xdp_allow.c share. Fixed-width types only. */
#ifndef XDP_ALLOW_H
#define XDP_ALLOW_H

#define XA_MAX_SOURCES 1024

/* Every packet lands in exactly one of these. */
enum xa_verdict {
	XA_PASS_ALLOWED,    /* IPv4 TCP/UDP from an allowed source to an allowed port */
	XA_PASS_ICMP,       /* ICMP from an allowed source (--allow-icmp) */
	XA_PASS_ARP,        /* ARP: IPv4 needs it */
	XA_PASS_IPV6,       /* IPv6 (--pass-ipv6) */
	XA_DROP_SOURCE,     /* IPv4 from a source not allowed */
	XA_DROP_PORT,       /* TCP/UDP to a port not allowed */
	XA_DROP_PROTOCOL,   /* another IPv4 protocol (ICMP without --allow-icmp) */
	XA_DROP_FRAGMENT,   /* a later fragment: no ports to check */
	XA_DROP_IPV6,       /* IPv6 (without --pass-ipv6) */
	XA_DROP_OTHER,      /* another ethertype (VLAN tags included) */
	XA_DROP_MALFORMED,  /* shorter than its headers say */
	XA_VERDICTS
};

enum xa_flags {
	XA_ANY_SOURCE = 1, /* no --allow-src: every source */
	XA_ANY_PORT = 2,   /* no --allow-port: every port */
	XA_ICMP = 4,
	XA_IPV6 = 8,
};

struct xa_lpm_key {
	__u32 prefix_len;
	__u32 addr; /* network order */
};

/* ports[port] (host order): bit 0 TCP allowed, bit 1 UDP allowed. */
#define XA_PORT_TCP 1
#define XA_PORT_UDP 2

#endif
