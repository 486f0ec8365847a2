/* SPDX-License-Identifier: GPL-2.0 */
/* Finding kernel headers for BCC, in the documented order, and merging
 * Debian's split layout into a private tree when the running kernel has no
 * headers package of its own. Never touches /lib/modules. */
#ifndef FW_HEADERS_H
#define FW_HEADERS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct fw_headers {
	char source[PATH_MAX]; /* for BCC_KERNEL_SOURCE; empty: BCC's own search finds them */
	char release[128];     /* UTS_RELEASE of the headers, "" if unknown */
	bool mismatch;         /* release known and not the running kernel's */
	const char *how;       /* where they were found */
};

struct fw_headers_query {
	const char *root;         /* "" in production; a fixture directory in tests */
	const char *release;      /* uname -r */
	const char *machine;      /* uname -m */
	const char *explicit_dir; /* --kernel-headers, or NULL */
	const char *env_source;   /* $BCC_KERNEL_SOURCE, or NULL */
	const char *state_dir;    /* where merged trees go (under root) */
	const char *os_release;   /* contents of /etc/os-release, for the package hint */
};

/* 0 and *h filled, or -1 with a one-line reason (naming the package to
 * install when nothing is found). */
int fw_find_headers(const struct fw_headers_query *q, struct fw_headers *h, char *err,
		    size_t errlen);

/* Where merged header trees are kept on the running system. */
#define FW_HEADERS_STATE_DIR "/var/cache/bcc-forkwatch"

/* The same search for the running system: reads /etc/os-release (for the
 * package hint), searches from the real root, merging into
 * FW_HEADERS_STATE_DIR, and points BCC_KERNEL_SOURCE at what it found. 0,
 * or -1 with a one-line reason. */
int fw_use_headers(const char *release, const char *machine, const char *explicit_dir,
		   struct fw_headers *h, char *err, size_t errlen);

/* "linux-headers-6.1.0-9-amd64", "kernel-devel-6.5.6-300.fc39.x86_64", ... */
void fw_headers_package_hint(const char *os_release, const char *release, char *buf,
			     size_t len);

/* arch/<dir> used by the kernel tree for a uname -m value. */
const char *fw_kernel_arch_dir(const char *machine);

#endif
