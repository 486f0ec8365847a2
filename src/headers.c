// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "headers.h"

#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const char *fw_kernel_arch_dir(const char *machine)
{
	if (!strcmp(machine, "x86_64") || !strncmp(machine, "i", 1))
		return "x86";
	if (!strcmp(machine, "aarch64") || !strcmp(machine, "arm64"))
		return "arm64";
	if (!strncmp(machine, "arm", 3))
		return "arm";
	if (!strncmp(machine, "s390", 4))
		return "s390";
	if (!strncmp(machine, "ppc", 3))
		return "powerpc";
	if (!strncmp(machine, "riscv", 5))
		return "riscv";
	if (!strncmp(machine, "mips", 4))
		return "mips";
	return machine;
}

static bool is_file(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	return fw_snprintf(p, sizeof(p), "%s/%s", dir, rel) == 0 && stat(p, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool complete_tree(const char *dir)
{
	return is_file(dir, "include/linux/kconfig.h") &&
	       is_file(dir, "include/generated/autoconf.h");
}

/* A Debian/Ubuntu flavour half (-amd64, -arm64, -generic): generated files only. */
static bool flavour_half(const char *dir)
{
	return is_file(dir, "include/generated/autoconf.h") &&
	       !is_file(dir, "include/linux/kconfig.h");
}

static void read_release(const char *dir, char *out, size_t len)
{
	char p[PATH_MAX], line[256];
	FILE *f;

	out[0] = '\0';
	if (fw_snprintf(p, sizeof(p), "%s/include/generated/utsrelease.h", dir) < 0)
		return;
	f = fopen(p, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *q = strstr(line, "UTS_RELEASE \"");

		if (q) {
			q += strlen("UTS_RELEASE \"");
			char *end = strchr(q, '"');

			if (end && (size_t)(end - q) < len) {
				memcpy(out, q, (size_t)(end - q));
				out[end - q] = '\0';
			}
			break;
		}
	}
	fclose(f);
}

/* linux-headers-6.1.0-56-amd64 -> linux-headers-6.1.0-56-common */
static int common_partner(const char *flavour, char *out, size_t len)
{
	const char *dash = strrchr(flavour, '-');
	struct stat st;

	if (!dash || fw_snprintf(out, len, "%.*s-common", (int)(dash - flavour), flavour) < 0)
		return -1;
	if (stat(out, &st) < 0 || !S_ISDIR(st.st_mode) || !is_file(out, "include/linux/kconfig.h"))
		return -1;
	return 0;
}

static int mkdirs(const char *path)
{
	char p[PATH_MAX];
	size_t i;

	if (fw_snprintf(p, sizeof(p), "%s", path) < 0)
		return -1;
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		p[i] = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Symlink every entry of src into dst (both directories). */
static int link_entries(const char *src, const char *dst)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(src);

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fw_snprintf(from, sizeof(from), "%s/%s", src, e->d_name) < 0 ||
		    fw_snprintf(to, sizeof(to), "%s/%s", dst, e->d_name) < 0 ||
		    symlink(from, to) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static int link_one(const char *from, const char *to)
{
	return symlink(from, to);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The half-made tree holds only directories and symlinks. */
static void remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Builds <state>/ksrc-<name>: -common's include/ and arch/<a>/include/
 * entries plus the flavour's generated dirs, all as symlinks, assembled
 * in a temporary folder and renamed into place so a crash leaves nothing
 * half-made. Reused when already present. */
static int merge_split(const char *flavour, const char *common, const char *state_dir,
		       const char *arch, char *out, size_t len, char *err, size_t errlen)
{
	char tmp[PATH_MAX], p1[PATH_MAX], p2[PATH_MAX];
	const char *name = strrchr(flavour, '/');

	name = name ? name + 1 : flavour;
	if (fw_snprintf(out, len, "%s/ksrc-%s", state_dir, name) < 0)
		goto too_long;
	if (complete_tree(out))
		return 0;
	if (mkdirs(state_dir) < 0) {
		fw_snprintf(err, errlen, "cannot create %s: %s", state_dir, strerror(errno));
		return -1;
	}
	if (fw_snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid()) < 0)
		goto too_long;
	if (fw_snprintf(p1, sizeof(p1), "%s/include", tmp) < 0 || mkdirs(p1) < 0 ||
	    fw_snprintf(p2, sizeof(p2), "%s/include", common) < 0 || link_entries(p2, p1) < 0)
		goto fail;
	if (fw_snprintf(p1, sizeof(p1), "%s/include/generated", flavour) < 0 ||
	    fw_snprintf(p2, sizeof(p2), "%s/include/generated", tmp) < 0 || link_one(p1, p2) < 0)
		goto fail;
	if (fw_snprintf(p1, sizeof(p1), "%s/include/config", flavour) == 0 && is_dir(p1) &&
	    (fw_snprintf(p2, sizeof(p2), "%s/include/config", tmp) < 0 || link_one(p1, p2) < 0))
		goto fail;
	if (fw_snprintf(p1, sizeof(p1), "%s/arch/%s/include", tmp, arch) < 0 || mkdirs(p1) < 0 ||
	    fw_snprintf(p2, sizeof(p2), "%s/arch/%s/include", common, arch) < 0 ||
	    link_entries(p2, p1) < 0)
		goto fail;
	if (fw_snprintf(p1, sizeof(p1), "%s/arch/%s/include/generated", flavour, arch) == 0 &&
	    is_dir(p1) &&
	    (fw_snprintf(p2, sizeof(p2), "%s/arch/%s/include/generated", tmp, arch) < 0 ||
	     link_one(p1, p2) < 0))
		goto fail;
	if (rename(tmp, out) < 0) {
		if (complete_tree(out))
			goto cleanup_ok; /* another instance won the race */
		goto fail;
	}
	return 0;
cleanup_ok:
	remove_tree(tmp);
	return 0;
fail:
	fw_snprintf(err, errlen, "cannot merge %s and %s into %s: %s", flavour, common, out,
		    strerror(errno));
	remove_tree(tmp);
	return -1;
too_long:
	fw_snprintf(err, errlen, "path too long under %s", state_dir);
	return -1;
}

/* Resolves dir (complete tree, or a flavour half with its -common partner)
 * into h->source. Returns 0, 1 when dir is not a header tree, -1 on error. */
static int use_dir(const struct fw_headers_query *q, const char *dir, struct fw_headers *h,
		   char *err, size_t errlen)
{
	char common[PATH_MAX], state[PATH_MAX];

	if (complete_tree(dir)) {
		if (fw_snprintf(h->source, sizeof(h->source), "%s", dir) < 0)
			return 1;
		read_release(dir, h->release, sizeof(h->release));
		return 0;
	}
	if (!flavour_half(dir) || common_partner(dir, common, sizeof(common)) < 0)
		return 1;
	if (fw_snprintf(state, sizeof(state), "%s%s", q->root, q->state_dir) < 0)
		return 1;
	if (merge_split(dir, common, state, fw_kernel_arch_dir(q->machine), h->source,
			sizeof(h->source), err, errlen) < 0)
		return -1;
	read_release(dir, h->release, sizeof(h->release));
	return 0;
}

struct candidate {
	char path[PATH_MAX];
	char version[256];
};

/* Newest /usr/src/linux-headers-* that is a complete tree or a flavour half
 * with its -common partner. */
static int newest_usr_src(const struct fw_headers_query *q, struct candidate *best)
{
	char dir[PATH_MAX], path[PATH_MAX], common[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int found = 0;

	if (fw_snprintf(dir, sizeof(dir), "%s/usr/src", q->root) < 0)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "linux-headers-", 14) != 0)
			continue;
		if (fw_snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < 0)
			continue;
		if (!complete_tree(path) &&
		    !(flavour_half(path) && common_partner(path, common, sizeof(common)) == 0))
			continue;
		if (found && strverscmp(e->d_name + 14, best->version) <= 0)
			continue;
		snprintf(best->path, sizeof(best->path), "%s", path);
		snprintf(best->version, sizeof(best->version), "%s", e->d_name + 14);
		found = 1;
	}
	closedir(d);
	return found;
}

void fw_headers_package_hint(const char *os_release, const char *release, char *buf, size_t len)
{
	const char *osr = os_release ? os_release : "";

	if (strstr(osr, "fedora") || strstr(osr, "rhel") || strstr(osr, "centos") ||
	    strstr(osr, "rocky") || strstr(osr, "almalinux") || strstr(osr, "amzn"))
		snprintf(buf, len, "kernel-devel-%s", release);
	else if (strstr(osr, "suse"))
		snprintf(buf, len, "kernel-default-devel");
	else if (strstr(osr, "ID=arch"))
		snprintf(buf, len, "linux-headers");
	else
		snprintf(buf, len, "linux-headers-%s", release); /* Debian, Ubuntu and the rest */
}

static void finish(const struct fw_headers_query *q, struct fw_headers *h)
{
	h->mismatch = h->release[0] && strcmp(h->release, q->release) != 0;
}

int fw_find_headers(const struct fw_headers_query *q, struct fw_headers *h, char *err,
		    size_t errlen)
{
	char path[PATH_MAX], hint[256];
	struct candidate best;
	int r;

	memset(h, 0, sizeof(*h));
	if (q->explicit_dir) {
		h->how = "--kernel-headers";
		r = use_dir(q, q->explicit_dir, h, err, errlen);
		if (r == 1)
			fw_snprintf(err, errlen,
				    "--kernel-headers %s: not a kernel header tree (needs "
				    "include/linux/kconfig.h and include/generated/autoconf.h)",
				    q->explicit_dir);
		if (r == 0)
			finish(q, h);
		return r == 0 ? 0 : -1;
	}
	if (q->env_source && q->env_source[0]) {
		h->how = "BCC_KERNEL_SOURCE";
		/* BCC would go on to its own search, then fail with a message
		 * about a kernel module: say what is wrong instead. */
		if (fw_snprintf(path, sizeof(path), "%s%s", q->root, q->env_source) < 0 ||
		    !is_dir(path)) {
			fw_snprintf(err, errlen, "BCC_KERNEL_SOURCE=%s: no such directory (unset it, "
				    "or pass --kernel-headers DIR)", q->env_source);
			return -1;
		}
		snprintf(h->source, sizeof(h->source), "%s", q->env_source);
		read_release(path, h->release, sizeof(h->release));
		finish(q, h);
		return 0;
	}
	if (fw_snprintf(path, sizeof(path), "%s/lib/modules/%s/build", q->root, q->release) == 0 &&
	    is_dir(path)) {
		char source[PATH_MAX];

		h->how = "/lib/modules";
		/* A complete build dir, or Debian's build+source pair: BCC's own
		 * search handles both, so leave BCC_KERNEL_SOURCE unset. */
		if (fw_snprintf(source, sizeof(source), "%s/lib/modules/%s/source", q->root,
				q->release) == 0 &&
		    (complete_tree(path) || (is_dir(source) && flavour_half(path)))) {
			read_release(path, h->release, sizeof(h->release));
			finish(q, h);
			return 0;
		}
		r = use_dir(q, path, h, err, errlen);
		if (r <= 0) {
			if (r == 0)
				finish(q, h);
			return r;
		}
	}
	if (newest_usr_src(q, &best)) {
		h->how = "newest /usr/src/linux-headers-*";
		r = use_dir(q, best.path, h, err, errlen);
		if (r == 0) {
			finish(q, h);
			if (!h->release[0]) /* no utsrelease.h: judge by the name */
				h->mismatch = strcmp(best.version, q->release) != 0;
			return 0;
		}
		if (r < 0)
			return -1;
	}
	if (fw_snprintf(path, sizeof(path), "%s/sys/kernel/kheaders.tar.xz", q->root) == 0 &&
	    access(path, R_OK) == 0) {
		h->how = "/sys/kernel/kheaders.tar.xz"; /* BCC extracts these itself */
		return 0;
	}
	fw_headers_package_hint(q->os_release, q->release, hint, sizeof(hint));
	fw_snprintf(err, errlen,
		    "no kernel headers found for kernel %s: install %s (or pass "
		    "--kernel-headers DIR)", q->release, hint);
	return -1;
}

int fw_use_headers(const char *release, const char *machine, const char *explicit_dir,
		   struct fw_headers *h, char *err, size_t errlen)
{
	char os_release[4096] = "";
	struct fw_headers_query q = {
		.root = "",
		.release = release,
		.machine = machine,
		.explicit_dir = explicit_dir,
		.env_source = getenv("BCC_KERNEL_SOURCE"),
		.state_dir = FW_HEADERS_STATE_DIR,
		.os_release = os_release,
	};

	fw_read_small_file("/etc/os-release", os_release, sizeof(os_release));
	if (fw_find_headers(&q, h, err, errlen) < 0)
		return -1;
	if (h->source[0] && setenv("BCC_KERNEL_SOURCE", h->source, 1) < 0) {
		snprintf(err, errlen, "cannot set BCC_KERNEL_SOURCE: %s", strerror(errno));
		return -1;
	}
	return 0;
}
