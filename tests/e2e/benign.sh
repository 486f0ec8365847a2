#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A benign load under the tool with default settings: no alert. The summary
# must show the load's processes were counted, so silence is not blindness.
. "$(dirname "$0")/lib.sh"
need_root
load=${1:?load}
benign_load "$load"

start_tool --no-log
"${LOAD_CMD[@]}" > /dev/null 2>&1 || fail "the load failed"
stop_tool
n=$(alerts | wc -l)
seen=$(summary | jq .processes)
[ "$seen" -ge "$LOAD_EXPECT" ] || fail "only $seen processes counted for a load of $LOAD_EXPECT"
[ "$n" -eq 0 ] || fail "$n alerts on a benign load: $(alerts | head -3)"
echo "PASS: $load: $seen processes counted, no alert"
