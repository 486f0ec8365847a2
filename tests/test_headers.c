// SPDX-License-Identifier: GPL-2.0
/* Kernel header discovery over fixture trees built in a temporary folder. */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "headers.h"

static char root[256];

static void put(const char *rel, const char *content)
{
	char path[1024], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void link_at(const char *target, const char *rel)
{
	char path[1024], tpath[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(tpath, sizeof(tpath), "%s/%s", root, target);
	CHECK(symlink(tpath, path) == 0);
}

/* Debian's split packages: linux-headers-<v>-amd64 and -common. */
static void debian_pair(const char *v)
{
	char rel[256], uts[256];

	snprintf(rel, sizeof(rel), "usr/src/linux-headers-%s-common/include/linux/kconfig.h", v);
	put(rel, "/* kconfig */\n");
	snprintf(rel, sizeof(rel), "usr/src/linux-headers-%s-common/include/uapi/linux/x.h", v);
	put(rel, "\n");
	snprintf(rel, sizeof(rel), "usr/src/linux-headers-%s-common/arch/x86/include/asm/x.h", v);
	put(rel, "\n");
	snprintf(rel, sizeof(rel), "usr/src/linux-headers-%s-amd64/include/generated/autoconf.h", v);
	put(rel, "#define CONFIG_X86 1\n");
	snprintf(rel, sizeof(rel), "usr/src/linux-headers-%s-amd64/include/generated/utsrelease.h",
		 v);
	snprintf(uts, sizeof(uts), "#define UTS_RELEASE \"%s-amd64\"\n", v);
	put(rel, uts);
	snprintf(rel, sizeof(rel),
		 "usr/src/linux-headers-%s-amd64/arch/x86/include/generated/asm/y.h", v);
	put(rel, "\n");
	snprintf(rel, sizeof(rel), "usr/src/linux-headers-%s-amd64/include/config/auto.conf", v);
	put(rel, "\n");
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void fresh_root(void)
{
	if (root[0])
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(root, sizeof(root), "/tmp/fw-headers-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
}

static struct fw_headers_query query(const char *release)
{
	struct fw_headers_query q = {
		.root = root,
		.release = release,
		.machine = "x86_64",
		.state_dir = "/var/cache/bcc-forkwatch",
		.os_release = "ID=debian\n",
	};
	return q;
}

static int exists(const char *dir, const char *rel)
{
	char p[2048];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return stat(p, &st) == 0;
}

static void test_lib_modules(void)
{
	struct fw_headers_query q;
	struct fw_headers h;
	char err[512];

	fresh_root();
	debian_pair("6.1.0-9");
	put("lib/modules/6.1.0-9-amd64/.keep", "");
	link_at("usr/src/linux-headers-6.1.0-9-amd64", "lib/modules/6.1.0-9-amd64/build");
	link_at("usr/src/linux-headers-6.1.0-9-common", "lib/modules/6.1.0-9-amd64/source");
	q = query("6.1.0-9-amd64");
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == 0);
	CHECK_STR(h.how, "/lib/modules");
	CHECK_STR(h.source, ""); /* BCC's own split-layout rule finds them */
	CHECK_STR(h.release, "6.1.0-9-amd64");
	CHECK(!h.mismatch);
}

static void test_newest_usr_src_merged(void)
{
	struct fw_headers_query q;
	struct fw_headers h, again;
	char err[512], expect[512];

	fresh_root();
	debian_pair("6.1.0-9");
	debian_pair("6.1.0-56");
	debian_pair("5.10.0-30");
	put("usr/src/linux-headers-6.9.0-1-amd64/include/generated/autoconf.h", "\n"); /* no -common */
	q = query("6.18.44-custom");
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == 0);
	CHECK_STR(h.how, "newest /usr/src/linux-headers-*");
	snprintf(expect, sizeof(expect), "%s/var/cache/bcc-forkwatch/ksrc-linux-headers-6.1.0-56-amd64",
		 root);
	CHECK_STR(h.source, expect);
	CHECK_STR(h.release, "6.1.0-56-amd64");
	CHECK(h.mismatch);
	/* One tree that BCC can use as BCC_KERNEL_SOURCE. */
	CHECK(exists(h.source, "include/linux/kconfig.h"));
	CHECK(exists(h.source, "include/generated/autoconf.h"));
	CHECK(exists(h.source, "include/config/auto.conf"));
	CHECK(exists(h.source, "include/uapi/linux/x.h"));
	CHECK(exists(h.source, "arch/x86/include/asm/x.h"));
	CHECK(exists(h.source, "arch/x86/include/generated/asm/y.h"));
	/* Reused, not rebuilt, the second time. */
	CHECK(fw_find_headers(&q, &again, err, sizeof(err)) == 0);
	CHECK_STR(again.source, h.source);
	/* Nothing written under /lib/modules. */
	CHECK(!exists(root, "lib/modules"));
}

static void test_explicit_and_env(void)
{
	struct fw_headers_query q;
	struct fw_headers h;
	char err[512], dir[512];

	fresh_root();
	debian_pair("6.1.0-56");
	put("usr/src/complete/include/linux/kconfig.h", "\n");
	put("usr/src/complete/include/generated/autoconf.h", "\n");
	put("usr/src/complete/include/generated/utsrelease.h", "#define UTS_RELEASE \"6.18.44\"\n");
	q = query("6.18.44");
	snprintf(dir, sizeof(dir), "%s/usr/src/complete", root);
	q.explicit_dir = dir;
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == 0);
	CHECK_STR(h.how, "--kernel-headers");
	CHECK_STR(h.source, dir);
	CHECK(!h.mismatch);

	/* The -amd64 half alone is merged with its -common partner. */
	snprintf(dir, sizeof(dir), "%s/usr/src/linux-headers-6.1.0-56-amd64", root);
	q.explicit_dir = dir;
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == 0);
	CHECK(exists(h.source, "include/linux/kconfig.h"));
	CHECK(h.mismatch);

	snprintf(dir, sizeof(dir), "%s/usr/src", root);
	q.explicit_dir = dir;
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "not a kernel header tree");

	q.explicit_dir = NULL;
	q.env_source = "/opt/kernel-src";
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) < 0); /* not there yet */
	CHECK_CONTAINS(err, "BCC_KERNEL_SOURCE=/opt/kernel-src: no such directory");
	put("opt/kernel-src/Makefile", "");
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == 0);
	CHECK_STR(h.how, "BCC_KERNEL_SOURCE");
	CHECK_STR(h.source, "/opt/kernel-src");
}

static void test_nothing(void)
{
	struct fw_headers_query q;
	struct fw_headers h;
	char err[512];

	fresh_root();
	q = query("6.5.6-300.fc39.x86_64");
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "no kernel headers found for kernel 6.5.6-300.fc39.x86_64");
	CHECK_CONTAINS(err, "install linux-headers-6.5.6-300.fc39.x86_64");
	q.os_release = "NAME=\"Fedora Linux\"\nID=fedora\n";
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "install kernel-devel-6.5.6-300.fc39.x86_64");
	CHECK(strchr(err, '\n') == NULL);

	/* A kernel with CONFIG_IKHEADERS: BCC extracts them itself. */
	put("sys/kernel/kheaders.tar.xz", "x");
	CHECK(fw_find_headers(&q, &h, err, sizeof(err)) == 0);
	CHECK_STR(h.how, "/sys/kernel/kheaders.tar.xz");
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	test_lib_modules();
	test_newest_usr_src_merged();
	test_explicit_and_env();
	test_nothing();
	CHECK_STR(fw_kernel_arch_dir("aarch64"), "arm64");
	CHECK_STR(fw_kernel_arch_dir("x86_64"), "x86");
	CHECK_DONE();
}
