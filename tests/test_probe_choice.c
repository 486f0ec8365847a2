// SPDX-License-Identifier: GPL-2.0
/* kallsyms parsing and probe choice, on fixture files of real kernels. */
#include <stdlib.h>

#include "check.h"
#include "forkwatch_logic.h"
#include "kallsyms.h"
#include "probe_choice.h"

static const char *fixtures;

static void load(const char *name, const char *const *wanted, size_t nwanted, struct fw_ksyms *ks)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		exit(1);
	CHECK(fw_ksyms_load(f, wanted, nwanted, ks) == 0);
	fclose(f);
}

static const char *sym(const struct fw_probe_plan *p, size_t i)
{
	return i < p->count ? p->probes[i].symbol : "(none)";
}

static void test_is_creation(void)
{
	CHECK(fw_ksym_is_creation("__x64_sys_clone"));
	CHECK(fw_ksym_is_creation("__x64_sys_clone3"));
	CHECK(fw_ksym_is_creation("__ia32_sys_vfork"));
	CHECK(fw_ksym_is_creation("__arm64_sys_fork"));
	CHECK(fw_ksym_is_creation("sys_clone"));
	CHECK(fw_ksym_is_creation("SyS_clone"));
	CHECK(fw_ksym_is_creation("kernel_clone"));
	CHECK(fw_ksym_is_creation("_do_fork"));
	CHECK(!fw_ksym_is_creation("__do_sys_clone"));
	CHECK(!fw_ksym_is_creation("__se_sys_clone"));
	CHECK(!fw_ksym_is_creation("ksys_fork"));
	CHECK(!fw_ksym_is_creation("__x64_sys_exit"));
	CHECK(!fw_ksym_is_creation("SyS_bpf"));
	CHECK(!fw_ksym_is_creation("__x64_sys_clone.cold"));
}

static void test_x86_64_6(void)
{
	struct fw_probe_plan p;
	struct fw_ksyms ks;
	char err[512] = "";

	load("kallsyms-x86_64-6.18.txt", NULL, 0, &ks);
	CHECK(fw_ksyms_has(&ks, "__x64_sys_clone3"));
	CHECK(!fw_ksyms_has(&ks, "__x64_sys_fork_data")); /* data, not text */
	CHECK(!fw_ksyms_has(&ks, "__x64_sys_clone.cold"));
	CHECK(fw_plan_for_arch(&ks, "x86_64", &p, err, sizeof(err)) == 0);
	CHECK_STR(p.arch, "x86_64");
	CHECK_EQ_U(p.count, 8);
	CHECK_STR(sym(&p, 0), "__x64_sys_clone");
	CHECK_STR(sym(&p, 1), "__x64_sys_clone3");
	CHECK_STR(sym(&p, 2), "__x64_sys_fork");
	CHECK_STR(sym(&p, 3), "__x64_sys_vfork");
	CHECK_EQ_U(p.probes[1].syscall, FW_SYS_CLONE3);
	CHECK_EQ_U(p.probes[3].syscall, FW_SYS_VFORK);
	CHECK_STR(sym(&p, 4), "__ia32_sys_clone");
	CHECK_CONTAINS(p.probes[4].why, "compat");
	CHECK_EQ_U(p.nmissing, 0);
	/* "amd64" and uname's value mean the same. */
	CHECK(fw_plan_from_spec(&ks, NULL, "x86_64", &p, err, sizeof(err)) == 0);
	CHECK_EQ_U(p.count, 8);
	CHECK(fw_plan_from_spec(&ks, "amd64", "aarch64", &p, err, sizeof(err)) == 0);
	CHECK_STR(sym(&p, 0), "__x64_sys_clone");
	/* Asking for arm64 on an x86_64 kernel finds nothing. */
	CHECK(fw_plan_from_spec(&ks, "arm64", "x86_64", &p, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "no clone/fork syscall entry points for arm64");
	CHECK_CONTAINS(err, "__x64_sys_clone");
	fw_ksyms_free(&ks);
}

static void test_arm64(void)
{
	struct fw_probe_plan p;
	struct fw_ksyms ks;
	char err[512] = "";

	load("kallsyms-arm64-6.1.txt", NULL, 0, &ks);
	CHECK(fw_plan_from_spec(&ks, NULL, "aarch64", &p, err, sizeof(err)) == 0);
	CHECK_STR(p.arch, "arm64");
	CHECK_EQ_U(p.count, 4);
	CHECK_STR(sym(&p, 0), "__arm64_sys_clone");
	CHECK_STR(sym(&p, 1), "__arm64_sys_clone3");
	CHECK_STR(sym(&p, 2), "__arm64_sys_fork");
	CHECK_CONTAINS(p.probes[2].why, "32-bit compat tasks only");
	CHECK_CONTAINS(p.probes[3].why, "no native fork/vfork");
	CHECK_CONTAINS(p.probes[0].why, "arm64 syscall entry");
	fw_ksyms_free(&ks);
}

static void test_old_kernel(void)
{
	struct fw_probe_plan p;
	struct fw_ksyms ks;
	char err[512] = "";

	load("kallsyms-x86_64-4.9.txt", NULL, 0, &ks);
	CHECK(fw_plan_for_arch(&ks, "x86_64", &p, err, sizeof(err)) == 0);
	CHECK_EQ_U(p.count, 3);
	CHECK_STR(sym(&p, 0), "sys_clone");
	CHECK_STR(sym(&p, 1), "sys_fork");
	CHECK_STR(sym(&p, 2), "sys_vfork");
	CHECK_CONTAINS(p.probes[0].why, "kernel < 4.17");
	CHECK_EQ_U(p.nmissing, 1);
	CHECK_STR(p.missing[0], "clone3"); /* clone3 came in 5.3 */
	fw_ksyms_free(&ks);

	/* Only the SyS_ alias present: use it. */
	{
		char *names[] = { "SyS_clone" };
		struct fw_ksyms only = { .names = names, .count = 1, .cap = 1 };

		CHECK(fw_plan_for_arch(&only, "x86_64", &p, err, sizeof(err)) == 0);
		CHECK_STR(sym(&p, 0), "SyS_clone");
		CHECK_CONTAINS(p.probes[0].why, "SyS_ alias");
		CHECK_EQ_U(p.nmissing, 3);
	}
}

static void test_none(void)
{
	struct fw_probe_plan p;
	struct fw_ksyms ks;
	char err[512] = "";

	load("kallsyms-none.txt", NULL, 0, &ks);
	CHECK_EQ_U(ks.count, 0);
	CHECK(fw_plan_for_arch(&ks, "x86_64", &p, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "no clone/fork syscall entry points for x86_64");
	CHECK_CONTAINS(err, "found: none");
	/* An arch we have no naming for tries them all, then gives up clearly. */
	CHECK(fw_plan_for_arch(&ks, "mips64", &p, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "mips64");
	fw_ksyms_free(&ks);
}

static void test_explicit_symbols(void)
{
	const char *wanted[FW_MAX_PROBES];
	struct fw_probe_plan p;
	struct fw_ksyms ks;
	char err[512] = "", buf[256];
	int n;

	n = fw_spec_symbols("__x64_sys_clone,do_exit", buf, sizeof(buf), wanted, FW_MAX_PROBES);
	CHECK_EQ_U(n, 2);
	CHECK(fw_spec_symbols("arm64", buf, sizeof(buf), wanted, FW_MAX_PROBES) == -1);
	load("kallsyms-x86_64-6.18.txt", wanted, (size_t)n, &ks);
	CHECK(fw_ksyms_has(&ks, "do_exit")); /* kept because it was asked for */

	CHECK(fw_plan_from_spec(&ks, "__x64_sys_clone,__x64_sys_clone3", "x86_64", &p, err,
				sizeof(err)) == 0);
	CHECK_STR(p.arch, "symbols");
	CHECK_EQ_U(p.count, 2);
	CHECK_EQ_U(p.probes[0].syscall, FW_SYS_CLONE);
	CHECK_EQ_U(p.probes[1].syscall, FW_SYS_CLONE3);
	CHECK_CONTAINS(p.probes[0].why, "--arch-probe");
	CHECK_EQ_U(p.nmissing, 2); /* fork and vfork not probed */

	CHECK(fw_plan_from_spec(&ks, "kernel_clone", "x86_64", &p, err, sizeof(err)) == 0);
	CHECK_EQ_U(p.probes[0].syscall, FW_SYS_OTHER);

	CHECK(fw_plan_from_spec(&ks, "__x64_sys_clone,sys_clonex", "x86_64", &p, err,
				sizeof(err)) < 0);
	CHECK_CONTAINS(err, "unknown --arch-probe symbol 'sys_clonex'");
	CHECK_CONTAINS(err, "candidates: ");
	CHECK_CONTAINS(err, "__x64_sys_clone3");
	CHECK(fw_plan_from_spec(&ks, "__x64_sys_clone,,__x64_sys_fork", "x86_64", &p, err,
				sizeof(err)) < 0);
	CHECK_CONTAINS(err, "comma-separated");
	CHECK(fw_plan_from_spec(&ks, "__x64_sys_clone,", "x86_64", &p, err, sizeof(err)) < 0);
	CHECK(fw_plan_from_spec(&ks, "x86;rm", "x86_64", &p, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "only letters");
	CHECK(fw_plan_from_spec(&ks, "__x64_sys_fork,__x64_sys_fork", "x86_64", &p, err,
				sizeof(err)) < 0);
	CHECK_CONTAINS(err, "twice");
	fw_ksyms_free(&ks);
}

static void test_syscall_names(void)
{
	CHECK_EQ_U(fw_syscall_of_symbol("__x64_sys_vfork"), FW_SYS_VFORK);
	CHECK_EQ_U(fw_syscall_of_symbol("__x64_sys_fork"), FW_SYS_FORK);
	CHECK_EQ_U(fw_syscall_of_symbol("SyS_clone"), FW_SYS_CLONE);
	CHECK_EQ_U(fw_syscall_of_symbol("__arm64_sys_clone3"), FW_SYS_CLONE3);
	CHECK_EQ_U(fw_syscall_of_symbol("do_exit"), FW_SYS_OTHER);
	CHECK_EQ_U(fw_syscall_of_symbol("kernel_clone"), FW_SYS_OTHER);
	CHECK_EQ_U(fw_syscall_of_symbol("_do_fork"), FW_SYS_OTHER);
	CHECK_STR(fw_syscall_name(FW_SYS_CLONE3), "clone3");
	CHECK_STR(fw_syscall_name(FW_SYS_NONE), "none");
	CHECK_STR(fw_normalize_arch("aarch64"), "arm64");
	CHECK(fw_normalize_arch("sparc") == NULL);
}

int main(int argc, char **argv)
{
	fixtures = argc > 1 ? argv[1] : "tests/fixtures";
	test_is_creation();
	test_x86_64_6();
	test_arm64();
	test_old_kernel();
	test_none();
	test_explicit_symbols();
	test_syscall_names();
	CHECK_DONE();
}
