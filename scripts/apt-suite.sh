# A private apt configuration for one more Debian suite; bash, sourced by
# scripts/deps.sh and vmm/qemu/build.sh.
#
#   apt_suite DIR SUITE...   write DIR/sources.list (deb and deb-src lines for
#                            SUITE... on every Debian mirror the system's
#                            sources use, keeping Signed-By) and set the array
#                            APT_SUITE_OPTS for apt-get and apt-cache
#   apt_suite_update         apt-get update with those options, once
#
# The system's own sources stay in effect (Dir::Etc::SourceParts is theirs),
# so packages of the system's suites still resolve beside the extra ones;
# lists and cache are DIR's.  /etc/apt is never written.

# The "URI Signed-By" pairs of the system's Debian mirrors, one a line
# (one-line and deb822 formats).
apt_suite_mirrors() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -nE 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*signed-by=([^] ]*)[^]]*\][[:space:]]+)?([^[:space:]]*debian[^[:space:]]*)[[:space:]].*/\3 \2/p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^|[ \t])deb([ \t]|$)/) {
				n = split(uris, u, /[ \t]+/)
				for (i = 1; i <= n; i++) if (u[i] ~ /debian/) print u[i], key
			}
			types = uris = key = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{ k = $1; sub(/:$/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v)
		  if (k == "Types") types = v; else if (k == "URIs") uris = v
		  else if (k == "Signed-By") key = v }
		END { flush() }' "$f"
	done
}

apt_suite() {
	local dir=$1 uri key suite
	shift
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	: >"$dir/sources.list"
	# Security and other archives carry no backports or release suites.
	while read -r uri key; do
		case $uri in *debian-security* | *debian-ports*) continue ;; esac
		for suite; do
			printf '%s %s%s %s main\n' deb "${key:+[signed-by=$key] }" "$uri" "$suite"
			printf '%s %s%s %s main\n' deb-src "${key:+[signed-by=$key] }" "$uri" "$suite"
		done
	done < <(apt_suite_mirrors | sort -u) >>"$dir/sources.list"
	[ -s "$dir/sources.list" ] || { echo "apt-suite: no Debian mirror in /etc/apt" >&2; return 1; }
	APT_SUITE_OPTS=(-o Dir::Etc::SourceList="$dir/sources.list"
			-o Dir::State::Lists="$dir/lists"
			-o Dir::Cache="$dir/cache"
			-o APT::Sandbox::User=root)
	APT_SUITE_UPDATED=
}

apt_suite_update() {
	[ -z "${APT_SUITE_UPDATED:-}" ] || return 0
	apt-get "${APT_SUITE_OPTS[@]}" update -qq
	APT_SUITE_UPDATED=1
}
