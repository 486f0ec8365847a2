#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A benign load under the tool with default settings: no alert. The summary
# must show the load's processes were counted, so silence is not blindness.
. "$(dirname "$0")/lib.sh"
need_root
load=${1:?load}

case "$load" in
make)
	mkdir "$WORK/mk"
	{
		printf 'all:'; for i in $(seq 300); do printf ' t%d' "$i"; done; echo
		for i in $(seq 300); do printf 't%d:\n\t@true\n' "$i"; done
		echo ".PHONY: all $(seq -f 't%g' -s ' ' 300)"
	} > "$WORK/mk/Makefile"
	cmd=(make -s -C "$WORK/mk" -j"$(nproc)") expect=300 ;;
shell-loop) cmd=(bash -c 'for i in $(seq 5000); do /bin/true; done') expect=5000 ;;
xargs) cmd=(bash -c 'seq 2000 | xargs -P 8 -n 1 true') expect=2000 ;;
server) cmd=("$BOMB" server 32 3) expect=32 ;;
*) fail "unknown load $load" ;;
esac

start_tool --no-log
"${cmd[@]}" > /dev/null 2>&1 || fail "the load failed"
stop_tool
n=$(alerts | wc -l)
seen=$(summary | jq .processes)
[ "$seen" -ge "$expect" ] || fail "only $seen processes counted for a load of $expect"
[ "$n" -eq 0 ] || fail "$n alerts on a benign load: $(alerts | head -3)"
echo "PASS: $load: $seen processes counted, no alert"
