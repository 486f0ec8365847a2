#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Who it is: real bombs (scripts/fork_bomb.sh) in a cgroup named like a
# systemd service, in one named like a docker container's scope, and in a
# new pid namespace (unshare -fp --mount-proc). The alert naming each must
# carry its cgroup, unit, slice, container, pid namespace, user and command
# line, in JSON and in metrics.log's new columns, read from the root or, if
# it was gone, from a live member that says so. And when no process is left
# to read (forced by a test hook, FORKWATCH_TEST_CONTEXT_CGROUP): the
# cgroup the probe saw the creator in, found by its id on the cgroup2
# mount, in the sandbox, with the alert's user and no command line.
#   context.sh service|docker|pidns|cgroup
. "$(dirname "$0")/lib.sh"
need_root
case=${1:?service, docker, pidns or cgroup}
id=$(printf '%s' "fw-context-$$" | sha256sum | cut -c1-64) # 64 hex digits, as a container id
case "$case" in
service) cg="system.slice/fw-e2e-$$.service" args=(-g "$cg") ;;
docker) cg="system.slice/docker-$id.scope" args=(-g "$cg") ;;
pidns) cg="fw-e2e-pidns-$$" args=(-g "$cg" -n) ;;
cgroup)
	cg="system.slice/docker-$id.scope" args=(-g "$cg")
	awk '$3 == "cgroup2" { found = 1 } END { exit !found }' /proc/mounts || { echo "SKIP: no cgroup2 mount"; exit 77; }
	export FORKWATCH_TEST_CONTEXT_CGROUP=1 ;;
*) fail "unknown case $case" ;;
esac

start_tool -l "$WORK/metrics.log"
run_bomb classic "${args[@]}"
stop_tool

# The alert naming the bomb: its root (with -n, the unshare's grandchild,
# pid 2 in the namespace below the init, a bash like the bomb, which is
# never named: it started the bomb through an exec, and runs sleep beside
# it).
if [ "$case" = pidns ]; then
	ours='select(.kind == "replicator" and .context.cgroup == $cg and .root.ppid != $u and .root.pid != $u)'
	# The alerts naming the bomb's first process (the earliest pid named:
	# later ones may name a line inside the bomb, at its pids.max), one
	# read from that root itself if there is one (it shows pid 2).
	first_root=$(alerts | jq -c --argjson u "$BOMB_ROOT" --arg cg "/$cg" "$ours" | jq -s 'map(.root.pid) | min // 0')
	alert=$(alerts | jq -c --argjson u "$BOMB_ROOT" --arg cg "/$cg" --argjson r "$first_root" "$ours"' | select(.root.pid == $r and .context.from == "root")' | head -1)
	[ -n "$alert" ] || alert=$(alerts | jq -c --argjson u "$BOMB_ROOT" --arg cg "/$cg" --argjson r "$first_root" "$ours"' | select(.root.pid == $r)' | head -1)
	[ -n "$(alerts | jq -c --argjson u "$BOMB_ROOT" 'select(.root.ppid == $u or .root.pid == $u)')" ] &&
		fail "an alert names the namespace's init or unshare: $(alerts | head -1)"
else
	first=$(first_alert)
	names_root_first classic "$first" || fail "the first alert does not name the bomb's root $BOMB_ROOT: $first"
	alert=$(bomb_alert classic "$BOMB_ROOT")
	[ -n "$alert" ] || alert=$first
fi
[ -n "$alert" ] || fail "no replicator alert for the bomb (launched by $BOMB_ROOT)"
ctx=$(jq -c .context <<< "$alert")
root=$(jq -r .root.pid <<< "$alert")
echo "alert: $(jq -c '{rule, root: .root.pid, root_comm: .root.comm, context}' <<< "$alert")"

# Common to all: the cgroup fork_bomb.sh made, from the root or a live
# member; root's user; the bomb's command line.
jq -e --arg cg "/$cg" '.cgroup == $cg and (.cgroup_hierarchy == "v2" or .cgroup_hierarchy == "pids")' <<< "$ctx" > /dev/null ||
	fail "context cgroup is not /$cg: $ctx"
jq -e '.uid == 0 and .user == "root"' <<< "$ctx" > /dev/null || fail "context user is not root: $ctx"
if [ "$case" = cgroup ]; then
	jq -e '.from == "cgroup" and .pid == null and .cgroup_hierarchy == "v2" and .cmdline == null and .pidns == null' <<< "$ctx" > /dev/null ||
		fail "context not from the cgroup id (no pid, no command line): $ctx"
else
	jq -e --argjson r "$root" '(.from == "root" and .pid == $r) or (.from == "member" and .pid != $r and .pid > 0)' <<< "$ctx" > /dev/null ||
		fail "context not from the root $root or a member: $ctx"
	jq -e '.cmdline | contains("bash -c '"'"':(){ :|:& };:'"'"'")' <<< "$ctx" > /dev/null ||
		fail "context cmdline is not the bomb's: $ctx"
fi

case "$case" in
service)
	jq -e --arg u "fw-e2e-$$.service" '.unit == $u and .slice == "system.slice" and .container == null and .pidns == null' <<< "$ctx" > /dev/null ||
		fail "service: unit, slice, no container, no pid namespace expected: $ctx" ;;
docker | cgroup)
	jq -e --arg u "docker-$id.scope" --arg id "$id" '.unit == $u and .slice == "system.slice" and .container.runtime == "docker" and .container.id == $id and .pidns == null' <<< "$ctx" > /dev/null ||
		fail "docker: unit, slice, container docker $id expected: $ctx" ;;
pidns)
	# In the namespace, one level below the tool's: the bomb's root is pid
	# 2 there (a member something else).
	jq -e '.unit == null and .container == null and .pidns.level == 1 and .pidns.pid > 0' <<< "$ctx" > /dev/null ||
		fail "pidns: a pid namespace one level down expected: $ctx"
	jq -e '.from != "root" or .pidns.pid == 2' <<< "$ctx" > /dev/null ||
		fail "pidns: the bomb's root is pid 2 in its namespace: $ctx" ;;
esac

# metrics.log: the original columns first, then the context's, for this alert.
head -1 "$WORK/metrics.log" | grep -q '^timestamp,pid,tgid,hostname,subprocesses,event,rule,comm,ppid,uid,root,root_comm,figure,threshold,syscall,suppressed,action,killed,kill_ms,why,cgroup,unit,slice,container_runtime,container_id,ns_level,ns_pid,user,user_id,cmdline,context,context_pid$' ||
	fail "metrics.log header: $(head -1 "$WORK/metrics.log")"
line=$(python3 -c '
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    if row["event"] == "alert" and row["root"] == sys.argv[2]:
        print("|".join(row[k] for k in ("cgroup", "unit", "slice", "container_runtime", "container_id", "ns_level", "ns_pid", "user", "user_id", "context")))
        break' "$WORK/metrics.log" "$root")
[ -n "$line" ] || fail "metrics.log has no alert line naming $root"
want=$(jq -r '[.cgroup, (.unit // ""), (.slice // ""), (.container.runtime // ""), (.container.id // ""), (.pidns.level // "" | tostring), (.pidns.pid // "" | tostring), .user, (.uid | tostring), .from] | join("|")' <<< "$ctx")
[ "$line" = "$want" ] || fail "metrics.log context '$line' is not the JSON's '$want'"
echo "metrics.log: $(grep -m1 ",alert,replicator,[^,]*,[^,]*,[^,]*,$root," "$WORK/metrics.log")"
echo "PASS: context $case: $(jq -c '{cgroup, unit, slice, container, pidns, user, from}' <<< "$ctx")"
