#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build QEMU for the rig: Debian's QEMU 10.0 source (with Debian's own
# patches) plus our series vmm/qemu/patches/*.patch, configured as a small
# x86_64-softmmu with KVM, VFIO and vhost-kernel.  The result runs inside the
# rig's L1 (/usr/bin/qemu-pviommu, tests/rig/build-images); the host's own
# qemu-system-x86 (Debian 12's 7.2, the rig's L0) is not involved.
#
#   vmm/qemu/build.sh            build (or reuse) and point build/qemu/current at it
#   vmm/qemu/build.sh --print    print the output directory it would use
#   vmm/qemu/build.sh --source   fetch and unpack the source only, print its
#                                directory (a git work tree, Debian's state
#                                tagged pviommu-base: write the series there)
#
# The source and the build-time meson come from apt with a *private*
# configuration (scripts/apt-suite.sh, under build/qemu/apt/); /etc/apt is
# never touched and the system's meson stays as it is.
#
# Results are cached in build/qemu/<version>-<hash>/, where the hash covers
# the version, the series and the configure flags.  A new series rebuilds
# incrementally: the source tree is a git work tree reset to Debian's state,
# so only the files the series touches get new timestamps.
set -euo pipefail

# The source the series is written for, and the suite that carries it.
# (bookworm-backports' 1:10.0.2+ds-2+deb13u1~bpo12+1 is listed by the
# mirror but its .dsc and .debian.tar.xz are not served: 404.)
QEMU_DEB_VERSION=1:10.0.13+ds-0+deb13u1
QEMU_DEB_SUITE=trixie
# Debian's +ds source needs meson >= 1.5; Debian 12 has 1.0.  This one is
# unpacked under build/qemu/ and run from there.
MESON_DEB_VERSION=1.7.0-1~bpo12+1
MESON_DEB_SUITE=bookworm-backports

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
QB=$BUILD/qemu
VER_FS=${QEMU_DEB_VERSION#*:}            # 10.0.13+ds-0+deb13u1
SRC=$QB/src-$VER_FS
OBJ=$QB/obj-$VER_FS
APTDIR=$QB/apt
MESON_ROOT=$QB/meson-$MESON_DEB_VERSION
JOBS=${JOBS:-$(nproc)}

log() { printf 'qemu-build: %s\n' "$*"; }
die() { printf 'qemu-build: error: %s\n' "$*" >&2; exit 1; }

CONFIGURE_FLAGS=(
	--prefix=/usr
	--target-list=x86_64-softmmu
	--without-default-features
	--disable-tcg
	--disable-docs --disable-tools --disable-guest-agent --disable-user
	--disable-werror --disable-install-blobs --disable-debug-info
	--enable-kvm --enable-vhost-kernel --enable-vhost-net
	--disable-linux-aio --disable-linux-io-uring
	--audio-drv-list=
)

series=( "$HERE"/patches/*.patch )
[ -e "${series[0]}" ] || series=()
hash=$( { printf '%s\n' "$QEMU_DEB_VERSION" "$MESON_DEB_VERSION" "${CONFIGURE_FLAGS[@]}";
	  for p in "${series[@]}"; do basename "$p"; cat "$p"; done; } |
	sha256sum | cut -c1-12)
OUT=$QB/$VER_FS-$hash

case "${1:-}" in
--print) echo "$OUT"; exit 0 ;;
--source | "") ;;
*) die "usage: $0 [--print|--source]" ;;
esac

if [ -z "${1:-}" ] && [ -x "$OUT/qemu-system-x86_64" ]; then
	ln -sfn "$(basename "$OUT")" "$QB/current"
	log "up to date: $OUT"
	exit 0
fi

# shellcheck source=../../scripts/apt-suite.sh
. "$TOP/scripts/apt-suite.sh"

# --- 1. the source, at exactly QEMU_DEB_VERSION -----------------------------
fetch_source() {
	local dl=$APTDIR/dl offered dsc
	mkdir -p "$dl"
	apt_suite "$APTDIR/$QEMU_DEB_SUITE" "$QEMU_DEB_SUITE" || die "no private apt configuration"
	log "private apt update ($QEMU_DEB_SUITE)"
	apt_suite_update
	offered=$(apt-cache "${APT_SUITE_OPTS[@]}" showsrc qemu | sed -n 's/^Version: //p' | sort -u | tr '\n' ' ')
	case " $offered " in
	*" $QEMU_DEB_VERSION "*) ;;
	*) die "apt offers qemu source version(s) '${offered% }' from $QEMU_DEB_SUITE," \
	       "not $QEMU_DEB_VERSION, which the series in $HERE/patches is written for:" \
	       "port the series and update QEMU_DEB_VERSION in $0" ;;
	esac
	log "apt-get source qemu=$QEMU_DEB_VERSION"
	(cd "$dl" && apt-get "${APT_SUITE_OPTS[@]}" source --download-only -qq "qemu=$QEMU_DEB_VERSION") ||
		die "apt-get source qemu=$QEMU_DEB_VERSION failed"
	dsc=$dl/qemu_$VER_FS.dsc
	[ -f "$dsc" ] || die "apt did not deliver $dsc"
	grep -qx "Version: $QEMU_DEB_VERSION" "$dsc" ||
		die "$dsc is not version $QEMU_DEB_VERSION"
	rm -rf "$SRC.tmp"
	# apt checked the files against the signed Release; the .dsc's own
	# signature needs debian-keyring, so dpkg-source only warns about it.
	log "dpkg-source -x (applies Debian's patches)"
	dpkg-source -x "$dsc" "$SRC.tmp" >/dev/null ||
		die "dpkg-source -x failed"
	(cd "$SRC.tmp" && git init -q && git add -A -f . &&
	 git -c user.name=build -c user.email=build@localhost commit -qm "qemu $QEMU_DEB_VERSION (Debian patches applied)" &&
	 git tag pviommu-base)
	mv "$SRC.tmp" "$SRC"
	# dpkg-source leaves a copy of the orig tarball beside the tree.
	rm -f "$dl"/qemu_* "$QB"/qemu_*.orig.tar.*
}
[ -d "$SRC/.git" ] || fetch_source
if [ "${1:-}" = --source ]; then echo "$SRC"; exit 0; fi

# --- 2. meson, privately ----------------------------------------------------
if [ ! -x "$MESON_ROOT/usr/bin/meson" ]; then
	apt_suite "$APTDIR/$MESON_DEB_SUITE" "$MESON_DEB_SUITE" || die "no private apt configuration"
	log "private apt update ($MESON_DEB_SUITE), meson $MESON_DEB_VERSION"
	apt_suite_update
	rm -rf "$MESON_ROOT.tmp"; mkdir -p "$MESON_ROOT.tmp/deb"
	(cd "$MESON_ROOT.tmp/deb" && apt-get "${APT_SUITE_OPTS[@]}" download -qq "meson=$MESON_DEB_VERSION") ||
		die "apt-get download meson=$MESON_DEB_VERSION failed"
	dpkg -x "$MESON_ROOT.tmp"/deb/meson_*.deb "$MESON_ROOT.tmp"
	rm -rf "$MESON_ROOT.tmp/deb"
	mv "$MESON_ROOT.tmp" "$MESON_ROOT"
fi
# configure's venv (pyvenv, with the system's site packages) finds this meson
# through PYTHONPATH, at configure time and when ninja reruns meson.
export PYTHONPATH=$MESON_ROOT/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
export PATH=$MESON_ROOT/usr/bin:$PATH
mver=$(meson --version) || die "the meson in $MESON_ROOT does not run"
[ "$(printf '%s\n' 1.5.0 "$mver" | sort -V | head -n1)" = 1.5.0 ] ||
	die "meson $mver in $MESON_ROOT is older than 1.5.0"

# --- 3. the series ----------------------------------------------------------
cd "$SRC"
git reset -q --hard pviommu-base --
git clean -fdxq
for p in "${series[@]}"; do
	log "apply $(basename "$p")"
	git apply --whitespace=nowarn "$p" || die "$(basename "$p") does not apply to $QEMU_DEB_VERSION"
done
# 0001 imports the uAPI header verbatim; a copy that drifted builds a QEMU
# whose ioctl numbers or structs are not the module's.
cmp -s linux-headers/linux/vhost_iommu.h "$TOP/vhost-iommu/uapi/linux/vhost_iommu.h" ||
	die "0001's linux-headers/linux/vhost_iommu.h is not vhost-iommu/uapi/linux/vhost_iommu.h: regenerate it"

# --- 4. configure and build -------------------------------------------------
mkdir -p "$OBJ"
flags_now=$(printf '%s\n' "$mver" "${CONFIGURE_FLAGS[@]}")
if [ ! -f "$OBJ/build.ninja" ] || [ "$(cat "$OBJ/.pviommu-flags" 2>/dev/null)" != "$flags_now" ]; then
	log "configure (meson $mver)"
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
{ echo "version=$QEMU_DEB_VERSION"; echo "meson=$mver"; echo "series_hash=$hash";
  for p in "${series[@]}"; do echo "patch=$(basename "$p")"; done; } > "$OUT.tmp/BUILD-INFO"
rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
ln -sfn "$(basename "$OUT")" "$QB/current"
log "built $OUT/qemu-system-x86_64"
