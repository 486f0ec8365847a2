/* SPDX-License-Identifier: GPL-2.0 */
/* The lists the enforcement examples take on their command lines, parsed
 * and checked here (pure: no I/O), before anything reaches a BPF map. Each
 * parser returns 0, or -1 with a one-line reason in err. */
#ifndef EX_LISTS_H
#define EX_LISTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EX_COMM_LEN 16  /* TASK_COMM_LEN: the kernel's comm, NUL included */
#define EX_PATH_LEN 256 /* what the fallback reads of an open's path */

/* A command name as the kernel keeps it (comm): 1 to 15 bytes, printable,
 * no ',' or '='. out is NUL-padded to EX_COMM_LEN. */
int ex_parse_comm(const char *s, char out[EX_COMM_LEN], char *err, size_t errlen);

/* "4096", "64K", "512M", "1G", "2T" (powers of 1024; "KiB", "MB" and the
 * like too); at least 1 byte. */
int ex_parse_bytes(const char *s, uint64_t *out, char *err, size_t errlen);

/* "COMM=BYTES". */
int ex_parse_comm_limit(const char *s, char comm[EX_COMM_LEN], uint64_t *bytes, char *err,
			size_t errlen);

/* An absolute path in the form the kernel is handed it: starting with '/',
 * no empty, "." or ".." components, no trailing '/', shorter than
 * EX_PATH_LEN. ("/" itself is refused: it is not a file to guard.) */
int ex_check_path(const char *s, char *err, size_t errlen);

/* "10.0.0.0/24" or "10.0.0.7" (a /32). The address comes back in network
 * order with the bits past the prefix cleared. */
int ex_parse_ipv4_prefix(const char *s, uint32_t *addr_be, unsigned *prefix_len, char *err,
			 size_t errlen);

enum ex_proto { EX_PROTO_TCP = 6, EX_PROTO_UDP = 17 };

/* "22", "22/tcp", "53/udp", "8000-8010/tcp": ports 1-65535; without a
 * protocol both TCP and UDP. Fills *lo, *hi and the protocols. */
struct ex_port_rule {
	uint16_t lo, hi;
	bool tcp, udp;
};
int ex_parse_port_rule(const char *s, struct ex_port_rule *r, char *err, size_t errlen);

/* Splits a comma-separated list in place (s is modified) and calls fn on
 * every item; an empty item is an error. Stops at the first error. */
int ex_each_item(char *s, int (*fn)(const char *item, void *ctx, char *err, size_t errlen),
		 void *ctx, char *err, size_t errlen);

/* Human-readable bytes: "512 MiB", "1.5 GiB", "4096 B". */
void ex_format_bytes(uint64_t bytes, char *buf, size_t len);

#endif
