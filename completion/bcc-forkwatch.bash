# bash completion for bcc-forkwatch and its enforcement examples
# (fw-file-guard, fw-mem-limit, fw-net-block, fw-xdp-allow).
# SPDX-License-Identifier: GPL-2.0
#
# The options come from the program's own --help (which needs no root), so
# they are never out of date; only option values are known here. Needs
# nothing from the bash-completion package.

# _fw_options PROGRAM: the long and short options its --help defines (lines
# that start with an option, as "  -R, --rank N" and "      --chain N").
_fw_options()
{
	"$1" --help 2>/dev/null | sed -n -E \
		-e 's/^ {2,}(-[A-Za-z]), (--[a-z0-9-]+).*/\1 \2/p' \
		-e 's/^ {2,}(--[a-z0-9-]+).*/\1/p'
}

_fw_complete()
{
	# Words split at blanks only (bash also splits at ':' and '=', which
	# --allow user:NAME and --limit COMM=N contain).
	local line=${COMP_LINE:0:COMP_POINT} cur="" prev="" prog words
	read -r -a words <<< "$line"
	prog=${words[0]}
	if [[ "$line" =~ [[:blank:]]$ ]]; then
		prev=${words[${#words[@]} - 1]}
	else
		cur=${words[${#words[@]} - 1]}
		[ "${#words[@]}" -gt 1 ] && prev=${words[${#words[@]} - 2]}
	fi
	COMPREPLY=()
	_fw_values "$prog" "$prev" "$cur"
	# bash replaces only what follows the last ':' or '=' of the word.
	local head=${cur%"${cur##*[:=]}"} i
	if [ -n "$head" ]; then
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$head"}
		done
	fi
}

# _fw_values PROGRAM PREV CUR: fills COMPREPLY.
_fw_values()
{
	local prog=$1 prev=$2 cur=$3
	case "$prev" in
	--probe-mode)
		mapfile -t COMPREPLY < <(compgen -W "auto kprobe tracepoint" -- "$cur"); return ;;
	-m | --mode)
		mapfile -t COMPREPLY < <(compgen -W "auto lsm kill" -- "$cur"); return ;;
	-M | --xdp-mode)
		mapfile -t COMPREPLY < <(compgen -W "auto native generic" -- "$cur"); return ;;
	--arch-probe)
		mapfile -t COMPREPLY < <(compgen -W "x86_64 arm64" -- "$cur"); return ;;
	-l | --log | -o | --metrics-textfile)
		# -o is --opens (a flag) for bcc-forkwatch, --log for the examples.
		if [ "$prev" = -o ] && [ "${prog##*/}" = bcc-forkwatch ]; then
			:
		else
			compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return
		fi ;;
	--kernel-headers | -K)
		compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
	-u | --uid)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return ;;
	-p)
		if [ "${prog##*/}" = bcc-forkwatch ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur"); return
		fi ;;
	--pid)
		mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur"); return ;;
	-c | --comm)
		mapfile -t COMPREPLY < <(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" -- "$cur"); return ;;
	-i | --interface)
		mapfile -t COMPREPLY < <(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur"); return ;;
	--allow)
		if [ "${prog##*/}" = bcc-forkwatch ]; then
			case "$cur" in
			user:*) mapfile -t COMPREPLY < <(compgen -P user: -u -- "${cur#user:}") ;;
			comm:*) mapfile -t COMPREPLY < <(compgen -P comm: -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" -- "${cur#comm:}") ;;
			*) mapfile -t COMPREPLY < <(compgen -W "comm: uid: user: cgroup:" -- "$cur") ;;
			esac
			compopt -o nospace 2>/dev/null
			return
		fi ;;
	esac
	if [[ "$cur" == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_fw_options "$prog")" -- "$cur")
	elif [ "${prog##*/}" = fw-file-guard ]; then
		compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

complete -F _fw_complete bcc-forkwatch fw-file-guard fw-mem-limit fw-net-block fw-xdp-allow
