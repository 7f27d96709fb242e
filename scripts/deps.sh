#!/usr/bin/env bash
# Install everything pviommu needs on a Debian 12 machine, idempotently.
#
# The kernel packages follow the *current* linux-image-amd64 ABI: the
# headers are installed, the image .deb is only unpacked into the build
# directory (never into /boot), and linux-source-6.1 is installed at
# exactly the image's version so that private headers match.
set -euo pipefail

BUILD=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
mkdir -p "$BUILD"

log() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	log "apt-get update"
	$SUDO apt-get update -qq
	apt_updated=1
}

# Packages that are needed and not yet installed (at the right version).
missing=()
want() {
	local pkg=$1 ver=${2:-}
	local have
	have=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$pkg" 2>/dev/null || true)
	case "$have" in
	"ii  $ver"*) [ -z "$ver" ] || [ "${have#ii  }" = "$ver" ] && return 0 ;;
	esac
	if [ -n "$ver" ]; then missing+=("$pkg=$ver"); else missing+=("$pkg"); fi
}

TOOLS=(build-essential bc flex bison kmod cpio xz-utils zstd busybox-static
       qemu-system-x86 liburing-dev clang libclang-rt-14-dev gnuplot-nox
       pciutils python3
       # QEMU 7.2 with the vhost-iommu series (vmm/qemu/build.sh)
       dpkg-dev meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev
       libslirp-dev libfdt-dev
       # the debug kernel (scripts/debug-kernel.sh): objtool, certs
       libelf-dev libssl-dev)
for p in "${TOOLS[@]}"; do want "$p"; done

# apt-cache needs fresh lists on a new machine.
if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then apt_update_once; fi
ABI=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/.*Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*\)-amd64.*/\1/p' | head -n1)
if [ -z "$ABI" ]; then
	apt_update_once
	ABI=$(apt-cache depends linux-image-amd64 |
		sed -n 's/.*Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*\)-amd64.*/\1/p' | head -n1)
fi
[ -n "$ABI" ] || die "cannot find the 6.1 ABI that linux-image-amd64 depends on"

pkgver() { apt-cache show "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n1; }
IMG_PKG=linux-image-$ABI-amd64
HDR_PKG=linux-headers-$ABI-amd64
IMG_VER=$(pkgver "$IMG_PKG")
HDR_VER=$(pkgver "$HDR_PKG")
[ -n "$IMG_VER" ] || die "$IMG_PKG has no candidate version"
[ "$IMG_VER" = "$HDR_VER" ] ||
	die "version mismatch: $IMG_PKG is $IMG_VER but $HDR_PKG is $HDR_VER"
apt-cache show "linux-source-6.1=$IMG_VER" >/dev/null 2>&1 ||
	die "linux-source-6.1 is not available at $IMG_VER (the image's version)"

want "$HDR_PKG" "$HDR_VER"
want "linux-source-6.1" "$IMG_VER"

if [ ${#missing[@]} -gt 0 ]; then
	apt_update_once
	log "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >"$BUILD/apt-install.log" 2>&1 ||
		{ tail -n 30 "$BUILD/apt-install.log"; die "apt-get install failed"; }
fi

# The image: downloaded and unpacked, never installed.
KDIR=$BUILD/kernel/$ABI
if [ ! -f "$KDIR/.unpacked-$IMG_VER" ]; then
	rm -rf "$KDIR"
	mkdir -p "$KDIR/deb"
	log "downloading $IMG_PKG $IMG_VER"
	(cd "$KDIR/deb" && apt-get download -q -o APT::Sandbox::User=root "$IMG_PKG=$IMG_VER" >/dev/null) ||
		{ apt_update_once; (cd "$KDIR/deb" && apt-get download -q -o APT::Sandbox::User=root "$IMG_PKG=$IMG_VER"); }
	dpkg -x "$KDIR"/deb/*.deb "$KDIR/root"
	rm -rf "$KDIR/deb"
	touch "$KDIR/.unpacked-$IMG_VER"
fi

# The three versions must agree before anything is built against them.
src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
hdr_ver=$(dpkg-query -W -f='${Version}' "$HDR_PKG")
[ "$src_ver" = "$IMG_VER" ] && [ "$hdr_ver" = "$IMG_VER" ] ||
	die "kernel versions differ: image $IMG_VER, headers $hdr_ver, source $src_ver"

cat >"$BUILD/kernel.mk.tmp" <<EOM
# Written by scripts/deps.sh; do not edit.
KABI := $ABI-amd64
KVER := $IMG_VER
KHEADERS := /usr/src/linux-headers-$ABI-amd64
KIMAGE_ROOT := $KDIR/root
KSOURCE_TAR := /usr/src/linux-source-6.1.tar.xz
EOM
if ! cmp -s "$BUILD/kernel.mk.tmp" "$BUILD/kernel.mk" 2>/dev/null; then
	mv "$BUILD/kernel.mk.tmp" "$BUILD/kernel.mk"
else
	rm -f "$BUILD/kernel.mk.tmp"
fi
log "kernel $ABI-amd64 at $IMG_VER (image, headers and source agree)"
