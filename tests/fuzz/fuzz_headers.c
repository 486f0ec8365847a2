// SPDX-License-Identifier: GPL-2.0
/* Kernel header discovery on what it reads: a tree's
 * include/generated/utsrelease.h (the release the headers are for), the
 * uname -r and -m it is compared with, and /etc/os-release (the package
 * named when none are found). The input is those four, NUL-separated:
 * utsrelease.h, os-release, release, machine. fw_find_headers runs on a
 * real tree in a temporary folder (--kernel-headers, then
 * $BCC_KERNEL_SOURCE), then on an empty root (nothing found). */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "headers.h"
#include "util.h"

static char root[64], tree[128], empty[128], uts_path[256];

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void cleanup(void)
{
	nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(fwrite(text, 1, len, f) == len);
	FUZZ_CHECK(fclose(f) == 0);
}

/* A complete header tree (what complete_tree looks for) and an empty root. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[256];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/tmp/fw-fuzz-headers-XXXXXX");
	FUZZ_CHECK(mkdtemp(root) != NULL);
	atexit(cleanup);
	snprintf(tree, sizeof(tree), "%s/linux-headers", root);
	snprintf(empty, sizeof(empty), "%s/empty-root", root);
	FUZZ_CHECK(mkdir(empty, 0755) == 0);
	static const char *const dirs[] = { "", "/include", "/include/linux", "/include/generated" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", tree, dirs[i]);
		FUZZ_CHECK(mkdir(p, 0755) == 0);
	}
	snprintf(p, sizeof(p), "%s/include/linux/kconfig.h", tree);
	put(p, "/* kconfig */\n", 14);
	snprintf(p, sizeof(p), "%s/include/generated/autoconf.h", tree);
	put(p, "#define CONFIG_X86 1\n", 21);
	snprintf(uts_path, sizeof(uts_path), "%s/include/generated/utsrelease.h", tree);
	return 0;
}

static void check_found(const struct fw_headers *h, const char *uts, const char *release)
{
	FUZZ_CHECK(!strcmp(h->source, tree) && h->how != NULL);
	FUZZ_CHECK(fuzz_terminated(h->release, sizeof(h->release)));
	/* The release is the quoted text of a UTS_RELEASE line, or nothing. */
	if (h->release[0]) {
		char quoted[sizeof(h->release) + 16];

		snprintf(quoted, sizeof(quoted), "UTS_RELEASE \"%s\"", h->release);
		FUZZ_CHECK(strstr(uts, quoted) != NULL);
	}
	FUZZ_CHECK(h->mismatch == (h->release[0] && strcmp(h->release, release) != 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[4], err[1024], hint[256];
	size_t len[4], n;
	struct fw_headers h;

	n = fuzz_split(data, size, part, len, 4);
	const char *uts = part[0], *os_release = n > 1 ? part[1] : "";
	const char *release = n > 2 ? part[2] : "6.1.0-37-amd64", *machine = n > 3 ? part[3] : "x86_64";
	struct fw_headers_query q = {
		.root = empty,
		.release = release,
		.machine = machine,
		.explicit_dir = tree,
		.state_dir = "/state",
		.os_release = os_release,
	};

	put(uts_path, uts, strlen(uts));
	err[0] = '\0';
	FUZZ_CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == 0);
	check_found(&h, uts, release);
	/* $BCC_KERNEL_SOURCE names a directory of the system the tool runs on
	 * (looked for under q.root, which is "/" in the tool): the tree's
	 * absolute path, so the root here is the real one. */
	q.explicit_dir = NULL;
	q.env_source = tree;
	q.root = "";
	FUZZ_CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == 0);
	FUZZ_CHECK(!strcmp(h.how, "BCC_KERNEL_SOURCE"));
	check_found(&h, uts, release);
	q.root = empty;

	/* Nothing under the empty root: the error names the package to install. */
	q.env_source = NULL;
	FUZZ_CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == -1);
	FUZZ_CHECK(err[0] && fuzz_terminated(err, sizeof(err)));
	fw_headers_package_hint(os_release, release, hint, sizeof(hint));
	FUZZ_CHECK(fuzz_terminated(hint, sizeof(hint)) && hint[0]);
	if (strlen(hint) + strlen(release) < sizeof(err) / 2) /* else the message is cut */
		FUZZ_CHECK(strstr(err, hint) != NULL);
	FUZZ_CHECK(fw_kernel_arch_dir(machine) != NULL);
	(void)fw_kernel_at_least(release, 5, 3);
	fuzz_free(part, n);
	return 0;
}
