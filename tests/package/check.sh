#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package, end to end (CI's package stage; root; about two
# minutes): build it with dpkg-buildpackage in a copy of the checkout, lint
# it (lintian: any error fails), install it with apt-get, check its man
# pages render, its unit and completion load, run the installed
# /usr/sbin/bcc-forkwatch with the shipped /etc/default flags against a real
# bomb (scripts/fork_bomb.sh) and require its alert, then purge it and
# require that nothing of it is left.
#
# It installs and purges the system's bcc-forkwatch package: an installed
# one is purged first. Products stay under a temporary folder unless
# --keep DIR (the .deb, .changes, lintian's output and dpkg -c go there).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
keep=""
case "${1:-}" in
--keep) keep=${2:?--keep needs a directory} ;;
"") ;;
*) echo "usage: tests/package/check.sh [--keep DIR]" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "package: run as root (it installs and purges the package)" >&2; exit 1; }
for tool in dpkg-buildpackage dh lintian man apt-get jq curl; do
	command -v "$tool" > /dev/null || { echo "package: no $tool: run scripts/install-deps --package" >&2; exit 1; }
done

PKG=bcc-forkwatch
STAGE_START=$(date +%s.%N)
declare -a TIMES=()
# lap NAME: the seconds since the last lap, into the table printed at the end.
LAP_AT=$STAGE_START
lap() {
	local now
	now=$(date +%s.%N)
	TIMES+=("$(printf '%-34s %6.1f' "$1" "$(awk -v a="$now" -v b="$LAP_AT" 'BEGIN { print a - b }')")")
	LAP_AT=$now
}

# The end-to-end helpers (start_tool, run_bomb, stop_tool, alerts) run the
# installed binary; fw-bomb comes from the package's own build tree.
BUILD_ROOT=$(mktemp -d /tmp/fw-package.XXXXXX)
export TOOL=/usr/sbin/$PKG SRC BOMB=$BUILD_ROOT/$PKG/debian/build/fw-bomb
. "$SRC/tests/e2e/lib.sh"
installed_by_us=0
cleanup_package() {
	cleanup_e2e
	if [ "$installed_by_us" -eq 1 ]; then
		apt-get purge -y -qq "$PKG" > /dev/null 2>&1 || true
	fi
	rm -rf "$BUILD_ROOT"
}
trap cleanup_package EXIT

# 1. Build, in a copy: what git tracks plus new files it does not ignore, so
# the checkout gets no debian/build or ../*.deb, and a tree that is not
# clean builds as it stands.
git -C "$SRC" rev-parse --git-dir > /dev/null 2>&1 || fail "$SRC is not a git checkout"
mkdir "$BUILD_ROOT/$PKG"
git -C "$SRC" ls-files -z --cached --others --exclude-standard |
	(cd "$SRC" && tar --null -T - -cf -) | tar -xf - -C "$BUILD_ROOT/$PKG"
# A file git lists but the tree no longer has would stop tar: deleted files
# are simply not copied.
(cd "$BUILD_ROOT/$PKG" && nice -n 10 dpkg-buildpackage -us -uc -b) > "$WORK/build.log" 2>&1 ||
	{ tail -n 40 "$WORK/build.log"; fail "dpkg-buildpackage failed"; }
version=$(dpkg-parsechangelog -l "$BUILD_ROOT/$PKG/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
DEB=$BUILD_ROOT/${PKG}_${version}_${arch}.deb
CHANGES=$BUILD_ROOT/${PKG}_${version}_${arch}.changes
[ -f "$DEB" ] || fail "dpkg-buildpackage made no $DEB"
grep -q "100% tests passed" "$WORK/build.log" || fail "dh_auto_test ran no unit tests"
echo "package: built $(basename "$DEB") ($(grep -o '[0-9]*% tests passed, [0-9]* tests failed out of [0-9]*' "$WORK/build.log" | tail -1) in dh_auto_test)"
lap "build (dpkg-buildpackage -b)"

# 2. lintian: errors fail; every tag is printed.
lintian --fail-on error --display-info --pedantic "$CHANGES" > "$WORK/lintian.txt" 2>&1 ||
	{ cat "$WORK/lintian.txt"; fail "lintian reports errors"; }
grep -v '^N:' "$WORK/lintian.txt" | grep -v 'root privileges' | sed 's/^/package: lintian: /' || true
echo "package: lintian: $(grep -c '^E:' "$WORK/lintian.txt" || true) errors, $(grep -c '^W:' "$WORK/lintian.txt" || true) warnings"
lap "lintian"

# 3. Install with apt (it resolves Depends from the archive).
if dpkg-query -W -f '${Status}' "$PKG" 2> /dev/null | grep -qv 'not-installed'; then
	echo "package: $PKG was installed already: purging it first"
	apt-get purge -y -qq "$PKG" > /dev/null
fi
# What of the package's paths exists before (/usr/sbin, /lib, a symlink on
# merged-/usr systems, ...): purge must leave only those.
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' | grep -v '^$' > "$WORK/contents.txt"
: > "$WORK/before.txt"
while read -r path; do
	if [ -e "$path" ] || [ -L "$path" ]; then
		echo "$path" >> "$WORK/before.txt"
	fi
done < "$WORK/contents.txt"
installed_by_us=1
apt-get install -y -qq "$DEB" > "$WORK/apt.txt" 2>&1 || { cat "$WORK/apt.txt"; fail "apt-get install $DEB failed"; }
dpkg-query -W -f '${Status}\n' "$PKG" | grep -qx 'install ok installed' || fail "$PKG is not installed after apt-get install"
dpkg -L "$PKG" > "$WORK/files.txt"
[ "$("$TOOL" --version)" = "$PKG ${version%%-*}" ] || fail "$TOOL --version says '$("$TOOL" --version)', the package $version"
for prog in fw-file-guard fw-mem-limit fw-net-block fw-xdp-allow; do
	[ -x "/usr/sbin/$prog" ] || fail "no /usr/sbin/$prog"
	"/usr/sbin/$prog" --help > /dev/null || fail "/usr/sbin/$prog --help failed"
done
grep -qx /etc/default/$PKG /var/lib/dpkg/info/$PKG.conffiles || fail "/etc/default/$PKG is not a conffile"
echo "package: installed $version: $(grep -c . "$WORK/files.txt") paths; /etc/default/$PKG a conffile"
lap "apt-get install"

# 4. Man pages: each renders with man -l, with no warning from groff or man.
pages=$(grep '^/usr/share/man/man8/.*\.8\.gz$' "$WORK/files.txt")
[ "$(wc -l <<< "$pages")" -eq 5 ] || fail "expected 5 man pages, the package has: $pages"
for page in $pages; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" > "$WORK/page.txt" 2> "$WORK/page-err.txt" ||
		fail "man -l $page failed: $(cat "$WORK/page-err.txt")"
	[ ! -s "$WORK/page-err.txt" ] || fail "man -l $page warns: $(cat "$WORK/page-err.txt")"
	name=$(basename "$page" .8.gz)
	grep -q "^NAME" "$WORK/page.txt" && grep -q "$name" "$WORK/page.txt" || fail "man -l $page: no NAME section"
	grep -q "^EXIT STATUS" "$WORK/page.txt" || fail "man -l $page: no EXIT STATUS section"
	grep -q "^EXAMPLES" "$WORK/page.txt" || fail "man -l $page: no EXAMPLES section"
done
# Every option a program's --help prints is in its page.
for prog in $PKG fw-file-guard fw-mem-limit fw-net-block fw-xdp-allow; do
	LC_ALL=C.UTF-8 MANWIDTH=200 man -l "/usr/share/man/man8/$prog.8.gz" 2> /dev/null > "$WORK/page.txt"
	for opt in $("/usr/sbin/$prog" --help | sed -n -E 's/^ {2,}(-[A-Za-z], )?(--[a-z0-9-]+).*/\2/p'); do
		grep -qE -- "(^|[^a-z-])$opt([^a-z-]|$)" "$WORK/page.txt" || fail "$prog(8) does not describe $opt, which $prog --help lists"
	done
done
echo "package: 5 man pages render with man -l without a warning; each has every option its program's --help lists"

# 5. The unit (systemd-analyze verify: syntax, the binary it runs) and the
# completion (the five programs, options read from --help).
unit=/lib/systemd/system/$PKG.service
grep -qx "$unit" "$WORK/files.txt" || fail "no $unit in the package"
# The pid file is what logrotate's postrotate signals (debian/*.logrotate).
grep -q "^ExecStart=/usr/sbin/$PKG \$FORKWATCH_OPTS --pid-file /run/$PKG/$PKG.pid$" "$unit" ||
	fail "$unit does not run /usr/sbin/$PKG \$FORKWATCH_OPTS --pid-file /run/$PKG/$PKG.pid: $(grep ^ExecStart "$unit")"
grep -q "/run/$PKG/$PKG.pid" /etc/logrotate.d/$PKG || fail "/etc/logrotate.d/$PKG does not signal the unit's pid file"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit" || fail "$unit has no ExecReload sending SIGHUP"
grep -q "^EnvironmentFile=-/etc/default/$PKG$" "$unit" || fail "$unit does not read /etc/default/$PKG"
if command -v systemd-analyze > /dev/null; then
	systemd-analyze verify "$unit" > "$WORK/verify.txt" 2>&1 || fail "systemd-analyze verify $unit: $(cat "$WORK/verify.txt")"
	echo "package: $unit verifies"
fi
completion=/usr/share/bash-completion/completions/$PKG
bash -c ". '$completion'
	for p in bcc-forkwatch fw-file-guard fw-mem-limit fw-net-block fw-xdp-allow; do
		complete -p \$p > /dev/null || { echo \"no completion for \$p\"; exit 1; }
	done
	COMP_LINE='bcc-forkwatch --probe-m'; COMP_POINT=\${#COMP_LINE}; _fw_complete
	[ \"\${COMPREPLY[*]}\" = --probe-mode ] || { echo \"--probe-m completes to '\${COMPREPLY[*]}'\"; exit 1; }
	COMP_LINE='fw-xdp-allow --xdp-mode '; COMP_POINT=\${#COMP_LINE}; _fw_complete
	[ \"\${COMPREPLY[*]}\" = 'auto native generic' ] || { echo \"--xdp-mode completes to '\${COMPREPLY[*]}'\"; exit 1; }
" > "$WORK/completion.txt" 2>&1 || fail "completion: $(cat "$WORK/completion.txt")"
for prog in fw-file-guard fw-mem-limit fw-net-block fw-xdp-allow; do
	[ "$(readlink "/usr/share/bash-completion/completions/$prog")" = "$PKG" ] || fail "no completion link for $prog"
done
echo "package: bash completion for the five programs"
lap "man pages, unit, completion"

# 6. The installed binary, run as the unit runs it (the shipped default
# flags; the metrics port moved off 9464, which another instance may hold),
# against a real bomb: its alert must name the bomb's root.
# shellcheck disable=SC1090
. /etc/default/$PKG
port=$((20000 + RANDOM % 20000))
read -r -a opts <<< "${FORKWATCH_OPTS//127.0.0.1:9464/127.0.0.1:$port}"
[ "${#opts[@]}" -gt 0 ] || fail "/etc/default/$PKG sets no FORKWATCH_OPTS"
log=/var/log/$PKG/metrics.log
mkdir -p "/var/log/$PKG" # as the unit's LogsDirectory= does
start_tool "${opts[@]}" --pid-file "$WORK/$PKG.pid"
[ "$(readlink "/proc/$TOOL_PID/exe")" = "$TOOL" ] || fail "the running tool is $(readlink "/proc/$TOOL_PID/exe"), not $TOOL"
[ "$(cat "$WORK/$PKG.pid" 2> /dev/null)" = "$TOOL_PID" ] || fail "--pid-file holds '$(cat "$WORK/$PKG.pid" 2> /dev/null)', not $TOOL_PID"
BOMB_SECONDS=3 BOMB_MAX=512 run_bomb classic
curl -sf "http://127.0.0.1:$port/metrics" > "$WORK/metrics.txt" || fail "no metrics on 127.0.0.1:$port"
stop_tool
first=$(first_alert)
[ -n "$first" ] || fail "no alert from $TOOL for the bomb (root $BOMB_ROOT)"
names_root_first classic "$first" || fail "the first alert does not name the bomb's root $BOMB_ROOT: $first"
awk -F, -v r="$BOMB_ROOT" -v c="$(jq -r .root.pid <<< "$first")" 'NR > 1 && $6 == "alert" && $7 == "replicator" && ($11 == r || $11 == c) { found = 1 } END { exit !found }' "$log" ||
	fail "$log has no alert line naming $BOMB_ROOT"
grep -q '^forkwatch_alerts_total{kind="replicator"[^}]*} [1-9]' "$WORK/metrics.txt" || fail "forkwatch_alerts_total counted no replicator"
echo "package: $TOOL with /etc/default's flags: $(describe_alert "$first" "$BOMB_START"); in $log and the metrics"
echo "package: the alert: $first"
lap "installed binary against a bomb"

# 7. Purge: nothing of the package may remain.
running_others=$(pgrep -x "$PKG" | tr '\n' ' ' || true)
apt-get purge -y -qq "$PKG" > "$WORK/purge.txt" 2>&1 || { cat "$WORK/purge.txt"; fail "apt-get purge failed"; }
installed_by_us=0
! dpkg-query -W -f '${Status}\n' "$PKG" 2> /dev/null | grep -qv 'not-installed' ||
	fail "dpkg still knows $PKG: $(dpkg-query -W -f '${Status}' "$PKG")"
left=""
while read -r path; do
	case "$path" in "" | /.) continue ;; esac
	grep -qxF "$path" "$WORK/before.txt" && continue
	if [ -e "$path" ] || [ -L "$path" ]; then
		left+=" $path"
	fi
done < "$WORK/files.txt"
[ -z "$left" ] || fail "left after purge:$left"
for path in /etc/default/$PKG /var/log/$PKG /etc/systemd/system/multi-user.target.wants/$PKG.service \
	/var/lib/systemd/deb-systemd-helper-enabled/$PKG.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/$PKG.service; do
	[ ! -e "$path" ] && [ ! -L "$path" ] || fail "left after purge: $path"
done
stray=$(find /etc/systemd /lib/systemd/system /var/lib/systemd -name "$PKG*" 2> /dev/null | tr '\n' ' ')
[ -z "$stray" ] || fail "left after purge: $stray"
if [ -z "$running_others" ]; then
	[ ! -e /var/cache/$PKG ] || fail "left after purge: /var/cache/$PKG"
	cache_note="and /var/cache/$PKG"
else
	cache_note="(/var/cache/$PKG kept: other instances running, pids $running_others)"
fi
echo "package: purged: none of its $(grep -c . "$WORK/files.txt") paths, no /etc/default/$PKG, no unit or its links, no /var/log/$PKG $cache_note"
lap "apt-get purge and checks"

if [ -n "$keep" ]; then
	mkdir -p "$keep"
	cp "$DEB" "$CHANGES" "$WORK/lintian.txt" "$WORK/build.log" "$keep/"
	dpkg -c "$DEB" > "$keep/contents.txt"
	echo "package: kept the .deb, lintian's output and dpkg -c in $keep"
fi
echo "package: seconds per step"
printf '  %s\n' "${TIMES[@]}"
printf '  %-34s %6.1f\n' "in all" "$(awk -v a="$(date +%s.%N)" -v b="$STAGE_START" 'BEGIN { print a - b }')"
echo "PASS: package"
