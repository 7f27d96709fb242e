#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build QEMU for the rig: Debian's QEMU 7.2 source (with Debian's own
# patches) plus our series vmm/qemu/patches/*.patch, configured as a small
# x86_64-softmmu with KVM, VFIO and vhost-kernel.
#
#   vmm/qemu/build.sh            build (or reuse) and point build/qemu/current at it
#   vmm/qemu/build.sh --print    print the output directory it would use
#
# The source comes from apt with a *private* configuration under
# build/qemu/apt/: its own sources list (deb-src entries derived from the
# system's Debian mirrors), lists and cache.  /etc/apt is never touched.
#
# Results are cached in build/qemu/<version>-<hash>/, where the hash covers
# the series and the configure flags.  A new series rebuilds incrementally:
# the source tree is a git work tree reset to Debian's state, so only the
# files the series touches get new timestamps.
set -euo pipefail

# The source version the series is written for.  It must be the source of
# the installed qemu-system-x86 package (the L1 image also carries that one).
QEMU_DEB_VERSION=1:7.2+dfsg-7+deb12u18

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
QB=$BUILD/qemu
VER_FS=${QEMU_DEB_VERSION#*:}            # 7.2+dfsg-7+deb12u18
UPVER=${VER_FS%-*}                       # 7.2+dfsg
SRC=$QB/src-$VER_FS
OBJ=$QB/obj-$VER_FS
APTDIR=$QB/apt
JOBS=${JOBS:-$(nproc)}

log() { printf 'qemu-build: %s\n' "$*"; }
die() { printf 'qemu-build: error: %s\n' "$*" >&2; exit 1; }

CONFIGURE_FLAGS=(
	--prefix=/usr
	--target-list=x86_64-softmmu
	--without-default-features
	--disable-docs --disable-tools --disable-guest-agent --disable-user
	--disable-werror --disable-install-blobs --disable-debug-info
	--enable-kvm --enable-vhost-kernel --enable-vhost-net
	--disable-linux-aio --disable-linux-io-uring
	--audio-drv-list=
)

series=( "$HERE"/patches/*.patch )
[ -e "${series[0]}" ] || series=()
hash=$( { printf '%s\n' "$QEMU_DEB_VERSION" "${CONFIGURE_FLAGS[@]}";
	  for p in "${series[@]}"; do basename "$p"; cat "$p"; done; } |
	sha256sum | cut -c1-12)
OUT=$QB/$VER_FS-$hash

if [ "${1:-}" = "--print" ]; then echo "$OUT"; exit 0; fi

if [ -x "$OUT/qemu-system-x86_64" ]; then
	ln -sfn "$(basename "$OUT")" "$QB/current"
	log "up to date: $OUT"
	exit 0
fi

# --- 1. the source, at exactly QEMU_DEB_VERSION -----------------------------
installed=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null || true)
[ "$installed" = "$QEMU_DEB_VERSION" ] ||
	die "installed qemu-system-x86 is built from source version '${installed:-none}'," \
	    "the series is for $QEMU_DEB_VERSION: update QEMU_DEB_VERSION in $0 and check the series"

# A deb-src line for every Debian mirror the system uses (one-line and
# deb822 formats), keeping Signed-By.
write_sources() {
	local f line
	: > "$APTDIR/sources.list"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		grep -E '^[[:space:]]*deb[[:space:]]' "$f" | grep -E 'debian' |
			sed -E 's/^[[:space:]]*deb[[:space:]]/deb-src /' >> "$APTDIR/sources.list" || true
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && uris ~ /debian/) {
				n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
				for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (u[i] != "" && s[j] != "")
					printf "deb-src %s%s %s %s\n", (key != "" ? "[signed-by=" key "] " : ""), u[i], s[j], comps
			}
			types = uris = suites = comps = key = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{ k = $1; sub(/:$/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v)
		  if (k == "Types") types = v; else if (k == "URIs") uris = v
		  else if (k == "Suites") suites = v; else if (k == "Components") comps = v
		  else if (k == "Signed-By") key = v }
		END { flush() }' "$f" >> "$APTDIR/sources.list"
	done
	[ -s "$APTDIR/sources.list" ] || die "no Debian mirror found in /etc/apt"
}

fetch_source() {
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/dl"
	write_sources
	local aptopts=(-o Dir::Etc::SourceList="$APTDIR/sources.list"
		       -o Dir::Etc::SourceParts=/dev/null
		       -o Dir::State::Lists="$APTDIR/lists"
		       -o Dir::Cache="$APTDIR/cache"
		       -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
	log "private apt update ($(wc -l < "$APTDIR/sources.list") deb-src entries)"
	apt-get "${aptopts[@]}" update -qq
	local offered
	offered=$(apt-cache "${aptopts[@]}" showsrc qemu | sed -n 's/^Version: //p' | sort -u | tr '\n' ' ')
	case " $offered " in
	*" $QEMU_DEB_VERSION "*) ;;
	*) die "apt offers qemu source version(s) '$offered', not $QEMU_DEB_VERSION" ;;
	esac
	log "apt-get source qemu=$QEMU_DEB_VERSION"
	(cd "$APTDIR/dl" && apt-get "${aptopts[@]}" source --download-only -qq "qemu=$QEMU_DEB_VERSION")
	local dsc=$APTDIR/dl/qemu_$VER_FS.dsc
	[ -f "$dsc" ] || die "apt did not deliver $dsc"
	grep -qx "Version: $QEMU_DEB_VERSION" "$dsc" ||
		die "$dsc is not version $QEMU_DEB_VERSION"
	rm -rf "$SRC.tmp"
	# apt checked the files against the signed Release; the .dsc's own
	# signature needs debian-keyring, so dpkg-source only warns about it.
	log "dpkg-source -x (applies Debian's patches)"
	dpkg-source -x "$dsc" "$SRC.tmp" >/dev/null ||
		die "dpkg-source -x failed"
	# The dfsg tarball has no edk2 blobs; an x86 build must not unpack them.
	# This build tweak is part of the base commit, not of the series.
	sed -i "s/^\( *unpack_edk2_blobs = \)bzip2.found()/\1false/" "$SRC.tmp/meson.build"
	grep -q "unpack_edk2_blobs = false$" "$SRC.tmp/meson.build" ||
		die "cannot disable the edk2 blob step"
	(cd "$SRC.tmp" && git init -q && git add -A -f . &&
	 git -c user.name=build -c user.email=build@localhost commit -qm "qemu $QEMU_DEB_VERSION (Debian patches applied)" &&
	 git tag pviommu-base)
	mv "$SRC.tmp" "$SRC"
}
[ -d "$SRC/.git" ] || fetch_source

# --- 2. the series ----------------------------------------------------------
cd "$SRC"
git reset -q --hard pviommu-base --
git clean -fdxq
for p in "${series[@]}"; do
	log "apply $(basename "$p")"
	git apply --whitespace=nowarn "$p" || die "$(basename "$p") does not apply to $QEMU_DEB_VERSION"
done

# --- 3. configure and build -------------------------------------------------
grep -q "unpack_edk2_blobs = false$" meson.build || die "the edk2 blob step is not disabled"
mkdir -p "$OBJ"
flags_now=$(printf '%s\n' "${CONFIGURE_FLAGS[@]}")
if [ ! -f "$OBJ/build.ninja" ] || [ "$(cat "$OBJ/.pviommu-flags" 2>/dev/null)" != "$flags_now" ]; then
	log "configure"
	rm -rf "$OBJ"; mkdir -p "$OBJ"
	(cd "$OBJ" && nice -n 10 "$SRC/configure" "${CONFIGURE_FLAGS[@]}" > configure.log 2>&1) ||
		{ tail -30 "$OBJ/configure.log"; die "configure failed ($OBJ/configure.log)"; }
	printf '%s\n' "$flags_now" > "$OBJ/.pviommu-flags"
fi
log "ninja -j$JOBS (nice)"
nice -n 10 ninja -C "$OBJ" -j"$JOBS" qemu-system-x86_64 > "$OBJ/ninja.log" 2>&1 ||
	{ grep -E 'error|Error' -A3 "$OBJ/ninja.log" | head -40; die "build failed ($OBJ/ninja.log)"; }

mkdir -p "$OUT.tmp"
cp "$OBJ/qemu-system-x86_64" "$OUT.tmp/"
{ echo "version=$QEMU_DEB_VERSION"; echo "series_hash=$hash";
  for p in "${series[@]}"; do echo "patch=$(basename "$p")"; done; } > "$OUT.tmp/BUILD-INFO"
rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
ln -sfn "$(basename "$OUT")" "$QB/current"
log "built $OUT/qemu-system-x86_64"
