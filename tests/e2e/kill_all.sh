#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One --kill instance, as on a real host, facing one load after another:
# the benign make and server loads (nothing may be killed, doomed or
# spared), then every bomb mode of scripts/fork_bomb.sh (each must be
# named by the probe, no doom above its root, none of its processes alive
# when its time is up), then a bomb whose root existed before the tool.
# The per-mode tests (kill.sh) check the same with a fresh instance each;
# this one costs a single compile (the vm guests run it instead of those).
. "$(dirname "$0")/lib.sh"
need_root
read -r -a more <<< "${FW_KILL_ARGS:-}"
kills() { jq -c 'select(.event == "kill")' "$WORK/out.json"; }

# The root that predates the tool starts first and waits.
"$SRC/scripts/fork_bomb.sh" classic -t "${FW_BOMB_SECONDS:-3}" -m 4096 -b "$BOMB" \
	-w "$WORK/go" > "$WORK/pre.txt" 2>&1 &
pre_pid=$!
for _ in $(seq 100); do grep -q waiting "$WORK/pre.txt" && break; sleep 0.05; done
grep -q waiting "$WORK/pre.txt" || fail "fork_bomb.sh -w did not start its root"
start_tool --kill --threads -l "$WORK/metrics.log" "${more[@]}"

for load in make server; do
	benign_load "$load"
	"${LOAD_CMD[@]}" > /dev/null 2>&1 || fail "the benign $load load failed (exit $?)"
done
[ "$(kills | wc -l)" -eq 0 ] || fail "containment touched a benign load: $(kills | head -2)"
echo "benign: make and server ran to the end, nothing killed"

summary_line=""
for mode in classic spawn c-loop vfork clone3 threads; do
	BOMB_MAX=4096 run_bomb "$mode"
	live=$(awk '/live [0-9]+ at the end/ { for (i = 1; i < NF; i++) if ($i == "live") print $(i + 1) }' "$WORK/bomb.txt")
	[ "${live:-x}" = 0 ] || fail "$mode: ${live:-an unknown number} of the bomb's processes alive when its time was up"
	if [ "$mode" = threads ]; then
		k=$(kills | jq -c --argjson r "$BOMB_ROOT" 'select(.reason == "threads" and .tgid == $r)' | head -1)
	else
		k=$(kills | jq -c --argjson r "$BOMB_ROOT" 'select(.root.pid == $r)' | head -1)
		# Anything else doomed during this bomb lies below its root.
		kills | jq -e --argjson s "$BOMB_START" --argjson r "$BOMB_ROOT" --argjson d "$(jq '.root.depth // 0' <<< "$k")" \
			'select(.timestamp >= $s and .root.pid != $r and .root.depth <= $d)' > /dev/null &&
			fail "$mode: a doom above or beside the bomb's root: $(kills | jq -c '{root, tree}' | tail -3)"
	fi
	[ -n "$k" ] || fail "$mode: no kill names the bomb's root $BOMB_ROOT (kills: $(kills | jq -c '{reason, root: .root.pid, tgid}' | tail -3 | tr '\n' ' '))"
	summary_line+=" $mode $(jq -r --argjson s "$BOMB_START" '((.timestamp - $s) * 1000 | floor)' <<< "$k") ms;"
	echo "$mode: named and contained, none alive at its end"
done

echo go > "$WORK/go"
wait "$pre_pid" || fail "fork_bomb.sh classic -w failed"
cp "$WORK/pre.txt" "$WORK/bomb.txt"
BOMB_ROOT=$(awk '/ start / { for (i = 1; i < NF; i++) if ($i == "root") print $(i + 1); exit }' "$WORK/pre.txt")
grep -q "live 0 at the end" "$WORK/pre.txt" || fail "the bomb from a root older than the tool was not contained: $(tail -1 "$WORK/pre.txt")"
kills | jq -e --argjson r "$BOMB_ROOT" 'select(.tree.pid == $r)' > /dev/null ||
	fail "no kill in the tree of the root older than the tool ($BOMB_ROOT)"
kills | jq -e --argjson r "$BOMB_ROOT" 'select(.tree.pid == $r and .root.pid != $r and .root.depth == 0)' > /dev/null &&
	fail "a doom outside the tree of the root older than the tool"
sleep 0.3 # the last sweep's report
stop_tool
[ "$(summary | jq .kills_failed)" -eq 0 ] || fail "the kernel refused kills"
[ "$(summary | jq .lost)" -eq 0 ] || fail "lost alert samples"
echo "PASS: one instance: benign make and server untouched; every mode named and contained (first kill after:$summary_line); a root older than the tool too; $(summary | jq -r '"\(.kills) reports, \(.killed_kernel) killed by the probe, \(.killed_sweep) by sweeps"')"
