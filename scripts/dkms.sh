#!/usr/bin/env bash
# pviommu's DKMS recipes: vhost-iommu/dkms.conf (the host: vhost_iommu.ko)
# and guest/dkms.conf (the guest: pviommu.ko); docs/design.md and
# docs/guest.md, "DKMS".
#
#   scripts/dkms.sh src OUT
#       write each recipe's source tree, OUT/<package>-<version>/: its
#       dkms.conf, a Kbuild for the directories of its modules (its
#       BUILT_MODULE_LOCATIONs), their sources, and the PRE_BUILD scripts
#   scripts/dkms.sh check ABI=HEADERS...
#       add both recipes to a temporary DKMS tree and "dkms build" each for
#       every kernel given (its release, its headers directory), as TAP.  A
#       kernel that a recipe's BUILD_EXCLUSIVE_* directives exclude (dkms
#       exits 77) is a skip, and says so.  Nothing outside the temporary
#       tree is written (DKMS's signing key included).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
RECIPES=(vhost-iommu guest)

die() { printf 'dkms.sh: %s\n' "$*" >&2; exit 1; }

# conf RECIPE NAME: the value of NAME="..." in RECIPE/dkms.conf.
conf() { sed -n "s/^$2=\"\\(.*\\)\"\$/\\1/p" "$REPO/$1/dkms.conf"; }

# recipe_dirs RECIPE: the directories of its modules, each once, in order.
recipe_dirs() {
	sed -n 's|^BUILT_MODULE_LOCATION\[[0-9]*\]="\([^"/]*\)/*"$|\1|p' \
		"$REPO/$1/dkms.conf" | awk '!seen[$0]++'
}

src() {
	local out=$1 r t
	local -a dirs
	for r in "${RECIPES[@]}"; do
		mapfile -t dirs < <(recipe_dirs "$r")
		[ ${#dirs[@]} -gt 0 ] || die "$r/dkms.conf names no BUILT_MODULE_LOCATION"
		t=$out/$(conf "$r" PACKAGE_NAME)-$(conf "$r" PACKAGE_VERSION)
		rm -rf "$t"
		mkdir -p "$t"
		(cd "$REPO" &&
		 git ls-files -co --exclude-standard -- "${dirs[@]}" |
			grep -E '(Kbuild|\.[ch])$' | xargs cp --parents -t "$t" &&
		 cp --parents -t "$t" scripts/dkms-kpriv.sh scripts/ksrc.sh scripts/kversion.sh)
		cp "$REPO/$r/dkms.conf" "$t/"
		{
			echo "# SPDX-License-Identifier: GPL-2.0-only"
			echo "# Written by scripts/dkms.sh from $r/dkms.conf."
			printf 'obj-m += %s/\n' "${dirs[@]}"
		} >"$t/Kbuild"
		echo "dkms.sh: $t"
	done
}

check() {
	local tmp r name ver kv abi headers rc t0 n=0 failed=0 mods
	[ $# -gt 0 ] || die "check: no kernel given (ABI=HEADERS)"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/pviommu-dkms.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	src "$tmp/src" >/dev/null
	mkdir -p "$tmp/tree"
	# DKMS signs the modules it builds, with a key it creates if needed.
	export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub
	local -a dkms=(dkms --dkmstree "$tmp/tree" --sourcetree "$tmp/src")
	for r in "${RECIPES[@]}"; do
		"${dkms[@]}" add -m "$(conf "$r" PACKAGE_NAME)" -v "$(conf "$r" PACKAGE_VERSION)" \
			>"$tmp/log" 2>&1 || { cat "$tmp/log"; die "dkms add of $r failed"; }
	done
	for kv in "$@"; do
		abi=${kv%%=*} headers=${kv#*=}
		for r in "${RECIPES[@]}"; do
			name=$(conf "$r" PACKAGE_NAME) ver=$(conf "$r" PACKAGE_VERSION)
			n=$((n + 1))
			t0=$(date +%s)
			rc=0
			"${dkms[@]}" build -m "$name" -v "$ver" -k "$abi" \
				--kernelsourcedir "$headers" >"$tmp/log" 2>&1 || rc=$?
			case $rc in
			0)
				# Each module built, for this very kernel.
				mods=$(find "$tmp/tree/$name/$ver/$abi" -name '*.ko*' | wc -l)
				if [ "$mods" -eq "$(grep -c '^BUILT_MODULE_NAME' "$REPO/$r/dkms.conf")" ] &&
				   ! find "$tmp/tree/$name/$ver/$abi" -name '*.ko*' -exec modinfo -F vermagic {} + |
					grep -qv "^$abi "; then
					echo "ok $n - $name/$ver ($r/dkms.conf) builds for $abi, $mods modules ($(( $(date +%s) - t0 )) s)"
				else
					echo "not ok $n - $name/$ver for $abi: $mods modules, or not for $abi"
					failed=$((failed + 1))
				fi ;;
			77)
				echo "ok $n - $name/$ver ($r/dkms.conf) for $abi # SKIP excluded by its BUILD_EXCLUSIVE_CONFIG=\"$(conf "$r" BUILD_EXCLUSIVE_CONFIG)\"" ;;
			*)
				echo "not ok $n - $name/$ver ($r/dkms.conf) for $abi: dkms build exited $rc"
				sed 's/^/# /' "$tmp/log"
				find "$tmp/tree/$name/$ver/build" -name make.log -exec sed 's/^/# /' {} + 2>/dev/null || true
				failed=$((failed + 1)) ;;
			esac
		done
	done
	echo "1..$n"
	[ $failed -eq 0 ]
}

case ${1:-} in
src) [ $# -eq 2 ] || die "usage: scripts/dkms.sh src OUT"; src "$2" ;;
check) shift; check "$@" ;;
*) die "usage: scripts/dkms.sh src OUT | check ABI=HEADERS..." ;;
esac
