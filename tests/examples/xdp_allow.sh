#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fw-xdp-allow between two network namespaces joined by veth (never a real
# interface): allowed sources to allowed ports pass (and ICMP from them,
# with --allow-icmp), the rest is dropped and counted per reason, and
# detaching restores the link.
. "$(dirname "$0")/lib.sh"
need_root
T=fw-xdp-allow
P=$HELPERS/fw-netprobe

bad_input $T "no interface given" -p 22
bad_input $T "no interface 'fw-nosuch0'" -i fw-nosuch0 -p 22
bad_input $T "nothing to allow" -i lo
bad_input $T "invalid address" -i lo -s 10.0.0.300
bad_input $T "invalid address" -i lo -s 10.0.0.0/33
bad_input $T "invalid port" -i lo -p 0
bad_input $T "invalid port" -i lo -p 70000
bad_input $T "invalid port" -i lo -p 22/icmp
bad_input $T "invalid port" -i lo -p 90-80
bad_input $T "invalid --xdp-mode" -i lo -p 22 -M offload

A=fwxa$$ B=fwxb$$
ip netns add "$A" && ip netns add "$B" || fail "cannot create network namespaces"
CLEANUPS+=("ip netns del $A 2>/dev/null" "ip netns del $B 2>/dev/null")
ip link add xa0 netns "$A" type veth peer name xb0 netns "$B" || fail "cannot create the veth pair"
ip -n "$A" addr add 10.199.0.1/24 dev xa0
ip -n "$B" addr add 10.199.0.2/24 dev xb0
ip -n "$B" addr add 10.199.0.3/24 dev xb0
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set xa0 up && ip -n "$B" link set xb0 up || fail "cannot bring the veth pair up"

# udp SRC PORT: how many of 20 datagrams from SRC reach port PORT in A.
udp() {
	ip netns exec "$A" "$P" xa-recv udp-recv 10.199.0.1 "$2" 1.5 > "$WORK/recv.txt" &
	local r=$!
	for _ in $(seq 50); do grep -q listening "$WORK/recv.txt" && break; sleep 0.05; done
	ip netns exec "$B" "$P" xa-send udp-send "$1" 10.199.0.1 "$2" 20 > /dev/null || fail "udp-send from $1 failed"
	wait "$r"
	sed -n 's/^received //p' "$WORK/recv.txt"
}
# tcp SRC PORT: 0 when a connection from SRC to PORT in A is accepted.
tcp() {
	ip netns exec "$A" "$P" xa-listen tcp-listen 10.199.0.1 "$2" 1.5 > "$WORK/listen.txt" &
	local r rc
	r=$!
	for _ in $(seq 50); do grep -q listening "$WORK/listen.txt" && break; sleep 0.05; done
	ip netns exec "$B" "$P" xa-conn tcp-connect "$1" 10.199.0.1 "$2" 700 > /dev/null
	rc=$?
	wait "$r"
	return $rc
}

[ "$(udp 10.199.0.3 5003)" -ge 18 ] || fail "the link does not carry UDP before the tool is attached"
ping_from() { ip netns exec "$B" "$P" xa-ping ping "$1" 10.199.0.1 700 > /dev/null; }
ping_from 10.199.0.3 || fail "the link does not carry ICMP before the tool is attached"

start_ex ip netns exec "$A" -- $T -i xa0 -s 10.199.0.2 -p 5001/udp,5002/tcp --allow-icmp -o "$WORK/counters.log"
grep -q "attached to xa0 (native XDP)" "$WORK/err.txt" || grep -q "attached to xa0 (generic XDP)" "$WORK/err.txt" ||
	fail "no attach line: $(cat "$WORK/err.txt")"
ip -n "$A" link show xa0 | grep -q xdp || fail "no XDP program on xa0 while attached"
allowed=$(udp 10.199.0.2 5001)
[ "$allowed" -ge 18 ] || fail "allowed UDP: $allowed of 20 arrived"
[ "$(udp 10.199.0.3 5001)" -eq 0 ] || fail "UDP from a source not allowed arrived"
[ "$(udp 10.199.0.2 5003)" -eq 0 ] || fail "UDP to a port not allowed arrived"
tcp 10.199.0.2 5002 || fail "allowed TCP connection failed"
tcp 10.199.0.3 5002 && fail "TCP from a source not allowed connected"
tcp 10.199.0.2 5004 && fail "TCP to a port not allowed connected"
ping_from 10.199.0.2 || fail "ICMP from an allowed source (--allow-icmp) got no answer"
ping_from 10.199.0.3 && fail "ICMP from a source not allowed was answered"
kill -USR1 "$EX_PID"
sleep 0.5
grep -q "packets on xa0:" "$WORK/out.txt" || fail "SIGUSR1 printed no counters"
stop_ex
# The last table is the final one.
final=$(tac "$WORK/out.txt" | sed '/packets on xa0:/q' | tac)
count() { awk -v k="$1" 'index($0, k) { print $NF }' <<< "$final"; }
[ "$(count "drop  source not allowed")" -ge 20 ] || fail "source drops: $final"
[ "$(count "drop  port not allowed")" -ge 20 ] || fail "port drops: $final"
[ "$(count "pass  icmp from an allowed source")" -ge 1 ] || fail "icmp passes: $final"
[ "$(count "pass  allowed (source and port)")" -ge "$allowed" ] || fail "passes: $final"
[ "$(tac "$WORK/counters.log" | sed '/packets on xa0:/q' | tac)" = "$final" ] || fail "--log does not hold the final counters: $(cat "$WORK/counters.log")"
ip -n "$A" link show xa0 | grep -q xdp && fail "the XDP program is still on xa0 after detaching"
[ "$(udp 10.199.0.3 5003)" -ge 18 ] || fail "the link does not carry UDP after detaching"
echo "PASS: $(grep -o '(.* XDP)' "$WORK/err.txt"): allowed UDP and TCP passed; $(count "drop  source not allowed") dropped by source, $(count "drop  port not allowed") by port; detaching restored the link"
