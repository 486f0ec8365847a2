#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fleet examples, checked with the real tools (ctest fleet_config; no
# root, no kernel): every YAML file parses; the DaemonSet against the
# Kubernetes API's schema (k8s_check.py) and against the tool (its
# arguments parse, its port is the one served, its capabilities are the
# systemd unit's, which tests/e2e/unit.sh proves enough); Prometheus's
# configs and rules with promtool, and the rules' behaviour with promtool
# test rules; Alertmanager's config with amtool, and where each alert is
# routed.
set -euo pipefail
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
TOOL=${TOOL:?path to bcc-forkwatch}
EX=$SRC/examples
PY=/usr/bin/python3 # Debian's, with python3-yaml and python3-kubernetes
fail() { echo "FAIL: $*"; exit 1; }
for t in "$PY" promtool amtool; do
	command -v "$t" > /dev/null || fail "no $t (scripts/install-deps installs prometheus, prometheus-alertmanager, python3-yaml, python3-kubernetes)"
done
WORK=$(mktemp -d /tmp/fw-fleet.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Every YAML file of the examples parses.
n=0
for f in "$EX"/*.yml "$EX"/k8s/*.yaml "$EX"/k8s/*.yml "$EX"/targets/*.yml; do
	"$PY" -c 'import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1])))' "$f" 2> "$WORK/err.txt" ||
		fail "$f does not parse: $(tail -3 "$WORK/err.txt")"
	n=$((n + 1))
done
echo "fleet: $n YAML files parse"

# The DaemonSet: the API's schema, then the tool's own view of it.
ds=$EX/k8s/bcc-forkwatch-daemonset.yaml
"$PY" "$SRC/tests/fleet/k8s_check.py" "$ds" || fail "$ds against the Kubernetes API schema"
"$PY" - "$ds" > "$WORK/ds.json" << 'EOF'
import json, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
pod = doc["spec"]["template"]["spec"]
c = pod["containers"][0]
print(json.dumps({
    "hostPID": pod.get("hostPID", False),
    "command": c.get("command", []), "args": c.get("args", []),
    "ports": [p["containerPort"] for p in c.get("ports", [])],
    "caps": sorted("CAP_" + x for x in c["securityContext"]["capabilities"]["add"]),
    "drop": c["securityContext"]["capabilities"].get("drop", []),
    "hostPaths": sorted(v["hostPath"]["path"] for v in pod["volumes"] if "hostPath" in v),
    "mounts": {m["name"]: m["mountPath"] for m in c["volumeMounts"]},
    "volumes": {v["name"]: v.get("hostPath", {}).get("path") for v in pod["volumes"]},
}))
EOF
jq -e '.hostPID == true' "$WORK/ds.json" > /dev/null || fail "the DaemonSet has no hostPID: true"
jq -e '.command == ["/usr/sbin/bcc-forkwatch"]' "$WORK/ds.json" > /dev/null || fail "the DaemonSet does not run /usr/sbin/bcc-forkwatch"
for p in /lib/modules /usr/src /sys/kernel/tracing /sys/kernel/debug /sys/fs/cgroup; do
	jq -e --arg p "$p" '.hostPaths | index($p)' "$WORK/ds.json" > /dev/null || fail "the DaemonSet does not mount the host's $p"
	# Mounted where the tool looks: at the same path.
	jq -e --arg p "$p" '. as $d | $d.volumes | to_entries[] | select(.value == $p) | .key as $k | $d.mounts[$k] == $p' \
		"$WORK/ds.json" > /dev/null || fail "the host's $p is not mounted at $p"
done
mapfile -t args < <(jq -r '.args[]' "$WORK/ds.json")
# The arguments parse (--list-probes exits after parsing, without root).
"$TOOL" "${args[@]}" --list-probes > "$WORK/probes.txt" 2> "$WORK/err.txt" ||
	fail "the DaemonSet's arguments do not parse: $(cat "$WORK/err.txt")"
port=$(printf '%s\n' "${args[@]}" | sed -n '/^--metrics-addr$/{n;s/.*://p}')
[ -n "$port" ] || fail "the DaemonSet serves no metrics (--metrics-addr)"
jq -e --argjson p "$port" '.ports | index($p)' "$WORK/ds.json" > /dev/null || fail "the DaemonSet's containerPort is not $port, the port it serves"
# Capabilities: the unit's bounding set (tests/e2e/unit.sh: enough to start,
# serve and contain), less CAP_DAC_OVERRIDE, which only --metrics-textfile
# in a directory root does not own needs.
unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$EX/bcc-forkwatch.service" | tr ' ' '\n' | grep -vx CAP_DAC_OVERRIDE | sort | jq -R . | jq -sc .)
ds_caps=$(jq -c .caps "$WORK/ds.json")
[ "$ds_caps" = "$unit_caps" ] || fail "the DaemonSet adds $ds_caps, the unit's set (less CAP_DAC_OVERRIDE) is $unit_caps"
jq -e '.drop == ["ALL"]' "$WORK/ds.json" > /dev/null || fail "the DaemonSet does not drop every other capability"
if printf '%s\n' "${args[@]}" | grep -qx -- --metrics-textfile; then
	fail "the DaemonSet writes a textfile: it then needs CAP_DAC_OVERRIDE"
fi
echo "fleet: DaemonSet: hostPID, the host's headers, tracefs, debugfs and cgroups at their paths, arguments that parse, port $port served, the unit's capabilities"

# Prometheus: both configs (and their rule files), the rules' behaviour.
for f in "$EX/prometheus.yml" "$EX/prometheus-fleet.yml"; do
	(cd "$EX" && promtool check config "$(basename "$f")") > "$WORK/promtool.txt" 2>&1 ||
		fail "promtool check config $f: $(cat "$WORK/promtool.txt")"
	! grep -q WARNING "$WORK/promtool.txt" || fail "promtool check config $f warns: $(grep WARNING "$WORK/promtool.txt")"
done
promtool check rules "$EX/forkwatch-rules.yml" > "$WORK/promtool.txt" 2>&1 ||
	fail "promtool check rules: $(cat "$WORK/promtool.txt")"
(cd "$SRC/tests/fleet" && promtool test rules forkwatch-rules.test.yml) > "$WORK/promtool.txt" 2>&1 ||
	fail "promtool test rules: $(cat "$WORK/promtool.txt")"
echo "fleet: promtool: prometheus.yml, prometheus-fleet.yml and forkwatch-rules.yml check; the rules' tests pass (ForkBomb, ForkwatchKilled, ForkwatchLosingEvents, ForkwatchDown)"

# Alertmanager: the config, and where each of the rules' alerts goes.
am=$EX/alertmanager.yml
amtool check-config "$am" > "$WORK/amtool.txt" 2>&1 || fail "amtool check-config: $(cat "$WORK/amtool.txt")"
route() { amtool config routes test --config.file="$am" "$@" 2> /dev/null; }
# Every alert the rules define, with its severity, is routed as intended.
expect_route() {
	local got
	got=$(route "${@:2}")
	[ "$got" = "$1" ] || fail "alertmanager routes ${*:2} to '$got', expected $1"
}
expect_route forkwatch-oncall alertname=ForkBomb severity=critical kind=replicator instance=web1:9464
expect_route forkwatch-team alertname=ForkwatchKilled severity=warning instance=web1:9464
expect_route forkwatch-team alertname=ForkwatchLosingEvents severity=warning instance=web1:9464
expect_route forkwatch-team alertname=ForkwatchDown severity=warning instance=web1:9464
# Each rule's severity is one the routes know.
for sev in $("$PY" -c 'import sys, yaml
for g in yaml.safe_load(open(sys.argv[1]))["groups"]:
    for r in g["rules"]:
        print(r["labels"]["severity"])' "$EX/forkwatch-rules.yml" | sort -u); do
	case "$sev" in critical | warning) ;; *) fail "forkwatch-rules.yml uses severity $sev, which alertmanager.yml does not route" ;; esac
done
echo "fleet: amtool: alertmanager.yml checks; ForkBomb pages forkwatch-oncall, the warnings go to forkwatch-team"
echo "PASS: fleet"
