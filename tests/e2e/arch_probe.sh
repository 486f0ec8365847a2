#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --arch-probe with an explicit symbol list attaches kprobes to exactly those
# symbols, and they are gone after exit. Needs a kernel with kprobes.
. "$(dirname "$0")/lib.sh"
need_root
kprobes_supported || { echo "SKIP: this kernel has no kprobes (the vm tests run this)"; exit 77; }
case "$(uname -m)" in
x86_64) want="__x64_sys_clone,__x64_sys_vfork" ;;
aarch64) want="__arm64_sys_clone,__arm64_sys_clone3" ;;
*) echo "SKIP: no symbol list for $(uname -m)"; exit 77 ;;
esac

# Our kprobes, as the kernel reports them: perf-event kprobes held by pid.
attached() {
	bpftool perf show -j | jq -r --argjson p "$1" \
		'[.[] | select(.pid == $p and .fd_type == "kprobe") | .func] | sort | join(",")'
}
start_tool --no-log --probe-mode kprobe --arch-probe "$want"
pid=$TOOL_PID
got=$(attached "$pid")
expect=$(tr , '\n' <<< "$want" | sort | paste -sd,)
[ "$got" = "$expect" ] || fail "kprobes attached: '$got', expected '$expect'"
grep -q "attached: kprobes ${want//,/, }" "$WORK/err.txt" || fail "the start line does not list exactly $want"
"$BOMB" vfork-n 20 || fail "vfork-n"
stop_tool
jq -e 'select(.event == "summary") | .calls.vfork >= 20 and .calls.clone3 == 0' "$WORK/out.json" > /dev/null ||
	fail "counts do not follow the probed symbols: $(summary)"
[ -z "$(bpftool perf show -j | jq -r --argjson p "$pid" '.[] | select(.pid == $p)')" ] || fail "kprobes left after exit"
echo "PASS: --arch-probe $want attached exactly those"
