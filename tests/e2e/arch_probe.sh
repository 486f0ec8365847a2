#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --arch-probe with an explicit symbol list attaches kprobes to exactly those
# symbols, counts follow them, and they are gone after exit; another arch's
# symbol is refused. Needs a kernel with kprobes.
. "$(dirname "$0")/lib.sh"
need_root
kprobes_supported || { echo "SKIP: this kernel has no kprobes (the vm tests run this)"; exit 77; }
# want: the symbols; made: the calls vfork-n makes through them (arm64 has
# no native vfork: glibc's vfork() is a clone there, and its vfork entry
# serves 32-bit compat tasks only); other: another arch's entry point.
case "$(uname -m)" in
x86_64) want="__x64_sys_clone,__x64_sys_vfork" made=vfork other=__arm64_sys_clone ;;
aarch64) want="__arm64_sys_clone,__arm64_sys_vfork" made=clone other=__x64_sys_clone ;;
*) echo "SKIP: no symbol list for $(uname -m)"; exit 77 ;;
esac

# Another arch's symbol: refused with one line (exit 2) that lists this
# kernel's candidates, before anything is compiled.
(cd "$WORK" && "$TOOL" --arch-probe "$other" -d 1 --no-log) > "$WORK/other.out" 2> "$WORK/other.err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l < "$WORK/other.err")" -eq 1 ] &&
	grep -q "unknown --arch-probe symbol '$other'" "$WORK/other.err" &&
	grep -q "candidates: .*${want%%,*}" "$WORK/other.err" ||
	fail "--arch-probe $other: exit $rc, said: $(cat "$WORK/other.err")"

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
"$BOMB" clone3-n 20 || fail "clone3-n" # through clone3, which is not probed
stop_tool
jq -e --arg m "$made" 'select(.event == "summary") | .calls[$m] >= 20 and .calls.clone3 == 0' "$WORK/out.json" > /dev/null ||
	fail "counts do not follow the probed symbols: $(summary)"
[ -z "$(bpftool perf show -j | jq -r --argjson p "$pid" '.[] | select(.pid == $p)')" ] || fail "kprobes left after exit"
echo "PASS: --arch-probe $want attached exactly those ($(summary | jq -c .calls)); $other refused"
