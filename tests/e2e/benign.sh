#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A benign load under the tool with default settings: no alert. The summary
# must show the load's processes were counted, so silence is not blindness.
# With --kill as a second argument, containment is armed at its defaults
# too, and nothing may be killed, spared or doomed: the load must not even
# come close.
. "$(dirname "$0")/lib.sh"
need_root
load=${1:?load}
kill=()
[ "${2:-}" = --kill ] && kill=(--kill)
benign_load "$load"

start_tool --no-log "${kill[@]}"
"${LOAD_CMD[@]}" > /dev/null 2>&1 || fail "the load failed (exit $?)"
stop_tool
n=$(alerts | wc -l)
seen=$(summary | jq .processes)
[ "$seen" -ge "$LOAD_EXPECT" ] || fail "only $seen processes counted for a load of $LOAD_EXPECT"
[ "$n" -eq 0 ] || fail "$n alerts on a benign load: $(alerts | head -3)"
if [ ${#kill[@]} -gt 0 ]; then
	summary | jq -e '.kills == 0 and .doomed == 0 and .killed_kernel == 0 and .killed_sweep == 0 and .kills_spared == 0' > /dev/null ||
		fail "containment touched a benign load: $(summary | jq -c '{kills, doomed, killed_kernel, killed_sweep, kills_spared}')"
	echo "PASS: $load with --kill: $seen processes counted, no alert, nothing killed, doomed or spared"
else
	echo "PASS: $load: $seen processes counted, no alert"
fi
