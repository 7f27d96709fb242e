# shellcheck shell=dash
# TAP helpers, sourced by the rig's /init and in-VM test scripts (busybox sh)
# and by the host-side runner and hooks (bash).  POSIX sh plus "local".
#
# Several processes (a test script, the programs it runs, /init) add to one
# TAP stream, so the count of test points lives in a file:
#   TAP_STATE  a directory for the counter (created if missing);
#   TAP_MARK   a prefix for every TAP line.  In a VM it is "RIG:TAP ", so the
#              host can tell TAP from console noise; on the host it is empty.

: "${TAP_STATE:?TAP_STATE must name a directory}"
TAP_MARK=${TAP_MARK-RIG:TAP }
mkdir -p "$TAP_STATE"
CR=$(printf '\r')

tap_count() {
	local n=0
	[ ! -f "$TAP_STATE/count" ] || read -r n <"$TAP_STATE/count"
	echo "$n"
}

# True once any test point of the stream has failed.
tap_failed() { [ -e "$TAP_STATE/failed" ]; }

_tap_point() {
	local n
	n=$(($(tap_count) + 1))
	echo "$n" >"$TAP_STATE/count"
	echo "$TAP_MARK$1 $n - $2"
}
ok() { _tap_point ok "$*"; }
not_ok() {
	: >"$TAP_STATE/failed"
	_tap_point "not ok" "$*"
}
diag() { echo "$TAP_MARK# $*"; }

# check DESC CMD [ARGS...]: a test point from a command's exit status, which
# is also returned.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc" && return 1; fi
}

# fact KEY VALUE: hand a value to the host side (e.g. a checksum to compare).
fact() { echo "RIG:FACT $1=$2"; }

# Close the stream with its plan.
tap_plan_end() { echo "${TAP_MARK}1..$(tap_count)"; }

# rig_l2_cmdline SCENARIO LIMIT [ARGS]: L2's kernel command line for an L2
# attempt of LIMIT seconds (L1's -kernel boots, and the boot disk's
# syslinux.cfg, tests/rig/boot-disk).  Its script gets 3/4 of the limit, so
# that L2's /init still reports a script that hangs.
rig_l2_cmdline() {
	echo "console=ttyS0 loglevel=2 panic=-1 rig_level=2 rig_test=$1 rig_timeout=$(($2 * 3 / 4)) ${3:-}"
}

# Kernel messages that fail a run: an extended regex, matched against dmesg in
# the VMs and against the console (minus the rig's own RIG: lines) on the host.
# shellcheck disable=SC2034 # used by the scripts that source this file
RIG_KERNEL_ERRORS='WARNING: CPU:|BUG:|Oops|general protection fault|Call Trace:|Kernel panic'

# "[not ]ok N[ - ]DESC" -> "DESC"
_tap_desc() {
	local d=${1#not }
	d=${d#ok }
	d=${d#"${d%%[!0-9]*}"}
	d=${d# }
	echo "${d#- }"
}

# tap_import PREFIX [MARK]: re-number the TAP stream read from stdin into this
# one, prefixing each description with PREFIX.  With MARK, only lines that start
# with MARK are TAP and the others are dropped (console noise); without it,
# non-TAP lines are passed through.  RIG:FACT lines always pass through.  Adds a
# failing point if the input's plan is missing or does not match its points.
tap_import() {
	local prefix=$1 mark=${2-} line plan='' seen=0
	while IFS= read -r line; do
		line=${line%"$CR"}
		case $line in "RIG:FACT "*)
			echo "$line"
			continue
			;;
		esac
		if [ -n "$mark" ]; then
			case $line in "$mark"*) line=${line#"$mark"} ;; *) continue ;; esac
		fi
		case $line in
		"ok "*)
			seen=$((seen + 1))
			ok "$prefix$(_tap_desc "$line")"
			;;
		"not ok "*)
			seen=$((seen + 1))
			not_ok "$prefix$(_tap_desc "$line")"
			;;
		"Bail out!"*) not_ok "$prefix$line" ;;
		1..*)
			plan=${line#1..}
			plan=${plan%% *}
			;;
		"#"*)
			line=${line#"#"}
			diag "$prefix${line# }"
			;;
		*) [ -n "$mark" ] || echo "$line" ;;
		esac
	done
	if [ -z "$plan" ]; then
		not_ok "${prefix}TAP stream complete (no plan after $seen test points: cut short?)"
	elif [ "$plan" != "$seen" ]; then
		not_ok "${prefix}TAP stream complete (plan 1..$plan, but $seen test points)"
	fi
}
