#!/usr/bin/env bash
# Install everything pviommu needs on a Debian 12 machine, idempotently.
#
# The modules build against several Debian kernels, each the *current*
# linux-image-amd64 of one apt suite (KSUITES below; the first is the
# default kernel): the system's own (bookworm: 6.1) and bookworm-backports
# (6.12), reached through a private apt configuration (scripts/apt-suite.sh,
# under build/apt/), never by editing /etc/apt.  For each: the ABI comes from
# the meta-package's dependency (never hard-coded), the headers are
# installed, the image .deb is only unpacked into the build directory (never
# into /boot; the backports headers depend on the image package, so apt
# installs that too), and linux-source-<series> is installed at exactly the
# image's version so that private headers match (bookworm-security has newer
# linux-source-6.12 builds than backports' image: the version is pinned).
#
# Writes build/kernel.mk: KERNELS (the series, default first), KDEFAULT, and
# for each series S: KABI_S, KVER_S, KHEADERS_S, KIMAGE_ROOT_S, KSOURCE_TAR_S.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${BUILD:-$REPO/build}")
mkdir -p "$BUILD"

# The suites whose linux-image-amd64 we build for, default first; "system"
# is the machine's own sources (Debian 12: bookworm and bookworm-security).
KSUITES=(bookworm-backports system)

log() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# shellcheck source=apt-suite.sh
. "$REPO/scripts/apt-suite.sh"
# The private configuration: the system's sources plus every other suite.
private_suites=()
for s in "${KSUITES[@]}"; do [ "$s" = system ] || private_suites+=("$s"); done
apt_suite "$BUILD/apt/private" "${private_suites[@]}" ||
	die "cannot write a private apt configuration"

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	log "apt-get update (the system's lists, and the private ones)"
	$SUDO apt-get update -qq
	apt_suite_update
	apt_updated=1
}

# suite_opts SUITE: the apt options that reach SUITE, in the array OPTS.
suite_opts() {
	if [ "$1" = system ]; then OPTS=(); else OPTS=("${APT_SUITE_OPTS[@]}"); fi
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
       # the rig images carry mke2fs and e2fsck (tests/rig/build-images)
       e2fsprogs
       # the bootable NVMe of "disk boot" scenarios (tests/rig/boot-disk),
       # and L2's UEFI firmware there (tests/rig/build-images)
       dosfstools mtools syslinux syslinux-common syslinux-efi ovmf
       # QEMU 10.0 with the vhost-iommu series (vmm/qemu/build.sh; its meson
       # 1.7 comes from bookworm-backports, unpacked privately)
       dpkg-dev ninja-build pkg-config libglib2.0-dev libfdt-dev
       # the debug kernel (scripts/debug-kernel.sh): objtool, certs
       libelf-dev libssl-dev
       # make check-dkms: the host and guest DKMS recipes
       dkms)
for p in "${TOOLS[@]}"; do want "$p"; done

# meta_abi SUITE: the ABI ("6.1.0-57-amd64") that SUITE's linux-image-amd64
# depends on, or nothing.
meta_abi() {
	local meta=linux-image-amd64
	suite_opts "$1"
	[ "$1" = system ] || meta=linux-image-amd64/$1
	{ apt-cache "${OPTS[@]}" depends "$meta" 2>/dev/null || true; } |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' | head -n1
}

# pkgver SUITE PKG: the highest version of PKG that SUITE's options reach.
pkgver() {
	suite_opts "$1"
	{ apt-cache "${OPTS[@]}" show "$2" 2>/dev/null || true; } |
		sed -n 's/^Version: //p' | sort -V | tail -n1
}

# The series, ABI and image version of each suite's kernel.
series=() abis=() vers=()
for suite in "${KSUITES[@]}"; do
	abi=$(meta_abi "$suite")
	if [ -z "$abi" ]; then
		apt_update_once
		abi=$(meta_abi "$suite")
	fi
	[ -n "$abi" ] || die "cannot find the ABI that linux-image-amd64 of $suite depends on"
	s=$(sed -nE 's/^([0-9]+\.[0-9]+)\..*/\1/p' <<<"$abi")
	[ -n "$s" ] || die "cannot read the series of ABI $abi"
	case " ${series[*]} " in
	*" $s "*) die "$suite's kernel $abi is of series $s, as another suite's" ;;
	esac
	img=linux-image-$abi hdr=linux-headers-$abi
	img_ver=$(pkgver "$suite" "$img")
	hdr_ver=$(pkgver "$suite" "$hdr")
	[ -n "$img_ver" ] || die "$img has no candidate version in $suite"
	[ "$img_ver" = "$hdr_ver" ] ||
		die "version mismatch: $img is $img_ver but $hdr is $hdr_ver"
	suite_opts "$suite"
	apt-cache "${OPTS[@]}" show "linux-source-$s=$img_ver" >/dev/null 2>&1 ||
		die "linux-source-$s is not available at $img_ver (the image's version)"
	want "$hdr" "$img_ver"
	want "linux-source-$s" "$img_ver"
	series+=("$s") abis+=("$abi") vers+=("$img_ver")
done

if [ ${#missing[@]} -gt 0 ]; then
	apt_update_once
	log "installing: ${missing[*]}"
	# The private configuration reaches every suite; versions are pinned.
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${APT_SUITE_OPTS[@]}" install \
		-y -q --no-install-recommends --allow-downgrades \
		"${missing[@]}" >"$BUILD/apt-install.log" 2>&1 ||
		{ tail -n 30 "$BUILD/apt-install.log"; die "apt-get install failed"; }
fi

# The images: downloaded and unpacked, never installed by us.
for i in "${!series[@]}"; do
	abi=${abis[$i]} ver=${vers[$i]}
	suite_opts "${KSUITES[$i]}"
	kdir=$BUILD/kernel/$abi
	[ -f "$kdir/.unpacked-$ver" ] && continue
	rm -rf "$kdir"
	mkdir -p "$kdir/deb"
	log "downloading linux-image-$abi $ver"
	(cd "$kdir/deb" && apt-get "${OPTS[@]}" -o APT::Sandbox::User=root download -q \
		"linux-image-$abi=$ver" >/dev/null) || {
		apt_update_once
		(cd "$kdir/deb" && apt-get "${OPTS[@]}" -o APT::Sandbox::User=root download -q \
			"linux-image-$abi=$ver")
	}
	dpkg -x "$kdir"/deb/*.deb "$kdir/root"
	rm -rf "$kdir/deb"
	touch "$kdir/.unpacked-$ver"
done

# The three versions must agree before anything is built against them.
{
	echo "# Written by scripts/deps.sh; do not edit."
	echo "KERNELS := ${series[*]}"
	echo "KDEFAULT := ${series[0]}"
	for i in "${!series[@]}"; do
		s=${series[$i]} abi=${abis[$i]} ver=${vers[$i]}
		src_ver=$(dpkg-query -W -f='${Version}' "linux-source-$s")
		hdr_ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi")
		[ "$src_ver" = "$ver" ] && [ "$hdr_ver" = "$ver" ] ||
			die "kernel $s versions differ: image $ver, headers $hdr_ver, source $src_ver"
		tarball=$(dpkg-query -L "linux-source-$s" | grep -m1 '^/usr/src/linux-source-.*\.tar\.xz$') ||
			die "linux-source-$s has no /usr/src tarball"
		headers=/usr/src/linux-headers-$abi
		[ -f "$headers/Makefile" ] || die "$headers is missing"
		echo "KABI_$s := $abi"
		echo "KVER_$s := $ver"
		echo "KHEADERS_$s := $headers"
		echo "KIMAGE_ROOT_$s := $BUILD/kernel/$abi/root"
		echo "KSOURCE_TAR_$s := $tarball"
	done
} >"$BUILD/kernel.mk.tmp"
if ! cmp -s "$BUILD/kernel.mk.tmp" "$BUILD/kernel.mk" 2>/dev/null; then
	mv "$BUILD/kernel.mk.tmp" "$BUILD/kernel.mk"
else
	rm -f "$BUILD/kernel.mk.tmp"
fi
for i in "${!series[@]}"; do
	log "kernel ${series[$i]}: ${abis[$i]} at ${vers[$i]} (image, headers and source agree)"
done
