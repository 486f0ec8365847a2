#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the vm-test guest (a Debian kernel with kprobes), chrooted into
# the host's root (the arm64 guest: into an arm64 root, with the checkout,
# its cross build and the headers at their host paths). Writes
# "BTF CHECK RESULT DETAIL" lines to /vmresults/results.txt.
set -u
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"; }
BUILD=$(arg fwbuild) SRC=$(arg fwsrc) HDR=$(arg fwhdr) HDRSRC=$(arg fwhdrsrc) QUICK=$(arg fwquick)
EXAMPLES=$(arg fwexamples) ONLY=$(arg fwonly) SEQMODES=$(arg fwseqmodes) NOBTF_TESTS=$(arg fwtests)
SEQLOADS=$(arg fwseqloads) PID1=$(arg fwpid1)
R=/vmresults/results.txt
: > "$R"
result() { echo "$1 $2 $3 ${4:-}" >> "$R"; echo "== $1 $2 $3 ${4:-}"; }

# No tmpfs on /tmp: the checkout may live there. The overlay's upper layer is
# a tmpfs already, so every write stays in the guest.
mount -t tmpfs tmpfs /run
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up # the metrics tests scrape 127.0.0.1
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd # bash process substitution
# The matching headers where BCC looks first: /lib/modules/$(uname -r).
rel=$(uname -r)
mkdir -p "/lib/modules/$rel"
ln -sfn "$HDR" "/lib/modules/$rel/build"
ln -sfn "$HDRSRC" "/lib/modules/$rel/source"
echo "guest: kernel $rel, build $BUILD, headers $HDR"
result - boot INFO "$(cut -d. -f1 /proc/uptime)s from power-on to the guest's checks ($(uname -m), $(nproc) CPU)"
if [ ! -x "$BUILD/bcc-forkwatch" ]; then
	result - setup FAIL "$BUILD/bcc-forkwatch is not visible in the guest"
	exit 1
fi
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Under TCG on one CPU a bomb grows 10 to 30 times slower than on the host:
# 2 s is not enough for the spawn or vfork bomb to reach 128 live members,
# and 8 s was not always: once the vfork bomb (an exec of the ASan build at
# every step) peaked at 34 tasks in 8 s on 6.12, where other runs alerted
# after 5.6 to 7.7 s.
export FW_BOMB_SECONDS=12
# Every start of the tool is a compile: 70 to 110 s in the arm64 guest (a
# loaded host doubles that), where the tests' default wait is 60 s.
export FW_ATTACH_SECONDS=600
# The rules judge shape, not speed, except the chain's (generations per
# window): an emulated bash chain makes about 30 a second, not 600. Thread
# storms: an emulated one makes 300 to 400 threads a second. A spawner is
# judged by harm: the sequence gives it a pids.max it can fill in time (a
# guest of one CPU made 180 to 199 in 12 s; it is named from 64 live
# children whose creations fail).
# So are the replicators that exec themselves for every member (vfork,
# posix_spawn): under TCG each exec takes tens of ms, they make about 170
# processes in 12 s, short of the few hundred a random tree of copies needs
# to rank 5; at a pids.max of 128 their failing creations name them at
# rank 3, the harm path (the host runs the rank path for every mode).
export FW_KILL_ARGS="--chain 16 --thread-threshold 128"
export FW_SEQ_SPAWN_MAX=128 FW_SEQ_PIDS_MAX=128

# list-probes BTF: the syscall entry points of this kernel, from its
# kallsyms. x86_64: __x64_sys_{clone,clone3,fork,vfork}. arm64:
# __arm64_sys_{clone,clone3}; fork and vfork exist there only for 32-bit
# compat tasks (arm64 glibc makes both with clone), and where the kernel
# lists them the choice must say so.
# The entry points --list-probes chose, by prefix: __x64_sys_{clone,...}.
chosen() {
	awk '/^kprobes \(entry/ { on = 1; next } /^[a-z]/ { on = 0 }
		on && $1 != "-" {
			i = index($1, "sys_"); p = substr($1, 1, i + 3)
			if (!(p in syms)) { order[++n] = p; syms[p] = substr($1, i + 4) }
			else syms[p] = syms[p] "," substr($1, i + 4)
		}
		END { for (k = 1; k <= n; k++) printf "%s%s{%s}", (k > 1 ? ", " : ""), order[k], syms[order[k]] }'
}
check_list_probes() {
	local out missing="" s want compat=""
	out=$("$BUILD/bcc-forkwatch" --list-probes 2>&1)
	case "$(uname -m)" in
	aarch64) want="__arm64_sys_clone __arm64_sys_clone3" compat="__arm64_sys_fork __arm64_sys_vfork" ;;
	*) want="__x64_sys_clone __x64_sys_clone3 __x64_sys_fork __x64_sys_vfork" ;;
	esac
	for s in $want; do
		grep -q "^  $s " <<< "$out" || missing="$missing $s"
		grep -q " T $s\$" /proc/kallsyms || missing="$missing (not in kallsyms: $s)"
	done
	for s in $compat; do
		grep -q " T $s\$" /proc/kallsyms || continue
		grep -q "^  $s .*compat tasks only" <<< "$out" || missing="$missing $s-as-compat-only"
	done
	grep -q "mode: auto -> kprobes" <<< "$out" || missing="$missing mode-not-kprobes"
	grep -qE "^  kprobe\+kretprobe do_sys_open(at2)? " <<< "$out" || missing="$missing open-kprobe"
	if [ -z "$missing" ]; then
		result "$1" list-probes PASS "$(chosen <<< "$out")$([ -n "$compat" ] && echo " (fork/vfork: compat only)"), $(grep -oE 'kprobe\+kretprobe do_sys_open[a-z0-9]*' <<< "$out")"
	else
		result "$1" list-probes FAIL "missing:$missing"
		echo "$out"
	fi
}

# Pid 1 is never killed: init (tests/vm/init) forks on SIGUSR1, here over a
# --limit of 0 children for its command; every due kill must be spared.
check_pid1() {
	local comm out=/tmp/pid1.json err=/tmp/pid1.err tp spared
	comm=$(cat /proc/1/comm)
	"$BUILD/bcc-forkwatch" --json --no-log --probe-mode kprobe --limit "$comm=0" > "$out" 2> "$err" &
	tp=$!
	for _ in $(seq $((FW_ATTACH_SECONDS * 10))); do grep -q attached "$err" && break; sleep 0.1; done
	kill -USR1 1
	sleep 1
	kill -USR1 1
	sleep 1
	kill -INT "$tp"
	wait "$tp"
	spared=$(jq 'select(.event == "summary") | .spared_by.init' "$out" 2>/dev/null)
	if [ "${spared:-0}" -ge 2 ] && kill -0 1; then
		result "$1" pid1 PASS "pid 1 ($comm) forked twice over --limit $comm=0: $spared kills spared"
	else
		result "$1" pid1 FAIL "spared by init: ${spared:-none}; $(tail -n 2 "$err" | tr '\n' ' ')"
	fi
}

# The end-to-end tests, forced onto kprobes, one ctest run each: a result
# line (with its seconds) as soon as each ends, so a guest killed at its
# timeout still says what passed and which test was running. Verbose ctest
# prefixes each output line with its test number: the PASS/FAIL line
# becomes the detail.
run_ctest() {
	local btf=$1 filter=$2 name log status detail t0 secs names
	names=$(cd "$BUILD" && ctest -N -L e2e -R "$filter" | sed -nE 's/^ *Test +#[0-9]+: ([^ ]+)$/\1/p')
	[ -n "$names" ] || { result "$btf" ctest FAIL "no test matches '$filter'"; return; }
	for name in $names; do
		log=/tmp/ctest-$btf-$name.log
		echo "guest: start $btf $name"
		t0=$(date +%s)
		(cd "$BUILD" && FW_EXTRA_ARGS="--probe-mode kprobe" FW_EXPECT_MODE=kprobe \
			ctest -V -L e2e -R "^$name\$" 2>&1) | tee "$log"
		secs=$(($(date +%s) - t0))
		case "$(grep -E 'Test +#[0-9]+: ' "$log" | tail -1)" in
		*Passed*) status=PASS ;;
		*Skipped*|*"Not Run"*) status=SKIP ;;
		*) status=FAIL ;;
		esac
		detail=$(grep -m1 -E "^[0-9]+: (PASS|FAIL|SKIP)" "$log" | sed -E "s/^[0-9]+: (PASS|FAIL|SKIP):? ?//")
		result "$btf" "${name#e2e_}" "$status" "$(tr '\n' ' ' <<< "$detail" | cut -c1-140) (${secs}s)"
	done
}

# BTF visible: probe choice (and, with --quick, the entry kprobes). BTF
# hidden (below): the rest, every bomb mode and event mode too (about 15
# minutes under TCG, so they run once). The host compiles with BTF visible
# in all its tests; a full run here spends that compile on the no-BTF case.
# fwonly=REGEX (vm-test --only): just those end-to-end tests without BTF.
[ -z "$ONLY" ] && check_list_probes btf
[ "$QUICK" = 1 ] && run_ctest btf 'syscalls'
# The examples' BPF-LSM variants: these kernels have the bpf LSM active and
# BTF is visible here, so file-guard and net-block must deny with EPERM.
# vm-test splits them across the guests (fwexamples: file_guard, net_block,
# both comma-separated, or none): minutes of compiles under TCG.
if [ -z "$ONLY" ] && [ -n "$EXAMPLES" ] && [ "$EXAMPLES" != none ]; then
	export EX_EXPECT_MODE=lsm
	run_ctest btf "example_(${EXAMPLES//,/|})"
	unset EX_EXPECT_MODE
fi

if [ "$QUICK" != 1 ]; then
	# The host without BTF: hide it from user space, the kernel keeps it.
	: > /tmp/no-btf
	mount --bind /tmp/no-btf /sys/kernel/btf/vmlinux
	if [ -s /sys/kernel/btf/vmlinux ]; then
		result nobtf hide-btf FAIL "/sys/kernel/btf/vmlinux still readable"
	else
		result nobtf hide-btf PASS "/sys/kernel/btf/vmlinux is empty"
	fi
	if [ -z "$ONLY" ]; then
		check_list_probes nobtf
		[ "$PID1" != 0 ] && check_pid1 nobtf
	fi
	# Every start of the tool is a compile, minutes under emulation: every
	# bomb mode and the benign make and server loads run under one --kill
	# instance, started from a polling shell (sequence --kill; the host also
	# runs each under its own, every mode, and the real servers). The shell loop and
	# xargs (about 6 minutes under TCG) test detection logic the host runs
	# identically; the kprobe path changes only which syscall a child is
	# attributed to. The lifecycle test (3 minutes here) is the host's:
	# arch_probe checks what it would add on this path, that kprobes are
	# attached and removed.
	# Seven modes, one per kernel path (fork, vfork, posix_spawn through
	# clone3, a fork loop, failed creations, a chain, threads); perl,
	# python, dash, the exec'd script and the C chain take those same paths
	# and run on the host.
	export FW_SEQ_SERVERS=0 FW_SEQ_LOADS="make server server500"
	export FW_SEQ_MODES="classic vfork clone3 c-loop spawn chain threads"
	# vm-test splits the modes, the loads and the tests across the guests
	# (fwseqmodes, fwseqloads: comma-separated; fwtests: a ctest regex).
	[ -n "$SEQMODES" ] && FW_SEQ_MODES=${SEQMODES//,/ }
	[ -n "$SEQLOADS" ] && FW_SEQ_LOADS=${SEQLOADS//,/ }
	run_ctest nobtf "${ONLY:-${NOBTF_TESTS:-syscalls|arch_probe|sequence_kill|stale|events$|opens|lost$}}"

fi
echo "guest: done"
