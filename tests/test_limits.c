// SPDX-License-Identifier: GPL-2.0
/* The parsers behind "is this spawner near a limit that binds it?" (the
 * on-demand returns), on text as the kernel writes it. And the probe's
 * record slots: a tgid's three choices, and the first one being the pid's
 * own slot so that pids handed out in turn do not collide. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "forkwatch_logic.h"
#include "spawn_limits.h"

static void test_cgroup_path(void)
{
	char out[256];

	/* cgroup v1 with a pids hierarchy (this machine's kind). */
	CHECK(fw_cgroup_pids_path("9:name=systemd:/\n8:pids:/fw-bomb-42\n4:memory:/a/b\n0::/\n", out,
				  sizeof(out)) == 1);
	CHECK_STR(out, "/fw-bomb-42");
	/* A controller list joined with others, and no trailing newline. */
	CHECK(fw_cgroup_pids_path("3:cpu,cpuacct:/x\n5:pids,devices:/sys.slice/db.service", out,
				  sizeof(out)) == 1);
	CHECK_STR(out, "/sys.slice/db.service");
	/* cgroup v2 only. */
	CHECK(fw_cgroup_pids_path("0::/system.slice/postgresql.service\n", out, sizeof(out)) == 2);
	CHECK_STR(out, "/system.slice/postgresql.service");
	/* Neither: "pidsx" is not pids, and a garbled line is skipped. */
	CHECK(fw_cgroup_pids_path("7:pidsx:/a\ngarbage\n", out, sizeof(out)) == 0);
	CHECK(fw_cgroup_pids_path("", out, sizeof(out)) == 0);
	/* A path longer than the buffer is not cut short. */
	CHECK(fw_cgroup_pids_path("8:pids:/a-very-long-path\n", out, 8) == 0);
}

static void test_limit_values(void)
{
	uint64_t v = 7;

	CHECK(fw_parse_limit("max\n", &v) == 0 && v == 0);
	CHECK(fw_parse_limit("1024\n", &v) == 0 && v == 1024);
	CHECK(fw_parse_limit("12x", &v) == -1);
	CHECK(fw_parse_limit("", &v) == -1);
	CHECK(fw_limit_near(512, 1024));
	CHECK(!fw_limit_near(511, 1024));
	CHECK(fw_limit_near(2, 3)); /* half of an odd limit, rounded up */
	CHECK(!fw_limit_near(1000000, 0)); /* no limit */
}

static void test_nproc(void)
{
	static const char limits[] =
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max cpu time              unlimited            unlimited            seconds   \n"
		"Max processes             95413                95413                processes \n"
		"Max open files            1024                 524288               files     \n";
	uint64_t soft = 0;

	CHECK(fw_limits_nproc(limits, &soft) == 0 && soft == 95413);
	CHECK(fw_limits_nproc("Max processes             unlimited            unlimited            processes\n",
			      &soft) == 0 && soft == 0);
	CHECK(fw_limits_nproc("Max open files 1024 1024 files\n", &soft) == -1);
	CHECK(fw_limits_nproc("Max processes             lots\n", &soft) == -1);
}

static void test_mounts(void)
{
	static const char mountinfo[] =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n";
	char out[256];

	CHECK(fw_cgroup_mount(mountinfo, true, out, sizeof(out)) == 0);
	CHECK_STR(out, "/sys/fs/cgroup/pids");
	CHECK(fw_cgroup_mount(mountinfo, false, out, sizeof(out)) == 0); /* optional fields */
	CHECK_STR(out, "/sys/fs/cgroup/unified");
	CHECK(fw_cgroup_mount("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n", true, out,
			      sizeof(out)) == -1);
	CHECK(fw_cgroup_mount("no dash here\n", false, out, sizeof(out)) == -1);
}

/* The /proc text the sweep and the reports read (contain.c, alerts.c). */
static void test_proc_text(void)
{
	static const char stat[] =
		"4242 (a (b) c) S 77 4242 4242 0 -1 2097216 120 0 0 0 0 0 0 0 20 0 1 0 1234\n";
	static const char status[] = "Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\n"
				     "Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n";
	static const char mounts[] =
		"tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
		"cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0\n"
		"cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";
	char v2[] = "12:pids:/fw-bomb-42\n0::/user.slice/user-0.slice\n", first[] = "0::/\n";
	char rel[] = "/system.slice//", root_rel[] = "/", out[64];
	unsigned long flags = 0;
	uint32_t v = 0;
	FILE *f;

	CHECK(fw_stat_ppid(stat, &v) == 0 && v == 77); /* after the last ')' */
	CHECK(fw_stat_flags(stat, &flags) == 0 && flags == 2097216);
	CHECK(fw_stat_ppid("4242 (no closing paren S 1", &v) == -1);
	CHECK(fw_status_uid(status, &v) == 0 && v == 1000);
	CHECK(fw_status_uid("Name:\tbash\n", &v) == -1);
	CHECK_STR(fw_cgroup_v2_path(v2), "/user.slice/user-0.slice");
	CHECK_STR(fw_cgroup_v2_path(first), "/");
	CHECK(fw_cgroup_within("/user.slice/user-0.slice", "/user.slice"));
	CHECK(!fw_cgroup_within("/user.slice-other", "/user.slice"));
	CHECK(fw_cgroup_within("/anything", "/"));
	CHECK_EQ_U(fw_cgroup_rel_level(rel), 1);
	CHECK_STR(rel, "/system.slice");
	CHECK_EQ_U(fw_cgroup_rel_level(root_rel), 0);
	CHECK_EQ_U(fw_loadavg_tasks("0.52 0.58 0.59 2/431 12345\n"), 431);
	CHECK_EQ_U(fw_loadavg_tasks("garbled\n"), 0);
	f = fmemopen((void *)mounts, sizeof(mounts) - 1, "r");
	CHECK(f && fw_mounts_cgroup2(f, out, sizeof(out)) == 0);
	CHECK_STR(out, "/sys/fs/cgroup/unified");
	if (f)
		fclose(f);
}

/* A v2 line with an empty path first in the file ("0::" then a newline):
 * the path was taken 4 bytes on, past the end of the line, into whatever
 * followed (found by tests/fuzz/fuzz_procfs: a read past the text). */
static void test_cgroup_v2_empty_path(void)
{
	char text[] = "0::\n1:pids:/x\n", only[] = "0::\n", later[] = "\n0::\n", blank[] = "\n0::/a\n";

	CHECK_STR(fw_cgroup_v2_path(text), "");
	CHECK_STR(fw_cgroup_v2_path(only), "");
	CHECK_STR(fw_cgroup_v2_path(later), "");
	CHECK_STR(fw_cgroup_v2_path(blank), "/a");
}

static void test_slots(void)
{
	uint32_t t, c, bits, collisions;

	/* For every store size --records allows: the first choice is the
	 * pid's own slot, so a run of pids fills distinct slots; the others
	 * stay in range and rarely meet it. */
	for (bits = FW_PROC_SLOT_BITS_MIN; bits <= FW_PROC_SLOT_BITS_MAX; bits += 4) {
		uint32_t slots = 1u << bits;

		collisions = 0;
		for (t = 1; t < 3 * slots && t < (1u << 20); t++) {
			CHECK_EQ_U(fw_proc_slot_in(t, 0, bits), t % slots);
			for (c = 1; c < FW_PROC_CHOICES; c++) {
				CHECK(fw_proc_slot_in(t, c, bits) < slots);
				collisions += fw_proc_slot_in(t, c, bits) == fw_proc_slot_in(t, 0, bits);
			}
		}
		CHECK(collisions < 16);
	}
}

int main(void)
{
	test_cgroup_path();
	test_limit_values();
	test_nproc();
	test_mounts();
	test_proc_text();
	test_cgroup_v2_empty_path();
	test_slots();
	CHECK_DONE();
}
