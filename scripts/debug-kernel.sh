#!/usr/bin/env bash
# Build (or reuse) the debug flavour of the rig's L1 kernel: the linux-source
# of build/kernel.mk's default kernel (KDEFAULT, the version of the Debian
# kernel the rig boots by default), x86_64 defconfig plus the fragment
# tests/rig/debug.config (KASAN, lockdep, kmemleak, failslab, ...).
#
# usage: scripts/debug-kernel.sh [OUT]       (default OUT: $BUILD/debug-kernel)
#
#   OUT/src     the kernel tree (built in place; our modules build against it)
#   OUT/root    boot/vmlinux-REL + lib/modules/REL: tests/rig/run --kernel OUT/root
#   OUT/stamp   hash of (source version, fragment, this script); a match = no-op
#
# Environment: KSOURCE_TAR, KHEADERS (default: KSOURCE_TAR_<KDEFAULT> and
# KHEADERS_<KDEFAULT> of build/kernel.mk), JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$repo/build}
out=${1:-$BUILD/debug-kernel}
frag=$repo/tests/rig/debug.config
jobs=${JOBS:-2}

# The value of a "NAME := value" line of build/kernel.mk.
kernel_mk() { sed -n "s/^$1 := //p" "$BUILD/kernel.mk"; }
if [ -z "${KSOURCE_TAR:-}" ] || [ -z "${KHEADERS:-}" ]; then
	[ -f "$BUILD/kernel.mk" ] || { echo "debug-kernel: run 'make deps' first" >&2; exit 1; }
	kdefault=$(kernel_mk KDEFAULT)
	KSOURCE_TAR=$(kernel_mk "KSOURCE_TAR_$kdefault")
	KHEADERS=$(kernel_mk "KHEADERS_$kdefault")
fi
# Debian's linux-source-<series>.tar.xz holds linux-source-<series>/.
top=$(basename "$KSOURCE_TAR" .tar.xz)

# The version the rig's Debian image runs (its headers).
# shellcheck source=kversion.sh
. "$(dirname "$0")/kversion.sh"
want=$(headers_kversion "$KHEADERS")
[ -n "$want" ] || { echo "debug-kernel: cannot read the version of $KHEADERS" >&2; exit 1; }

stamp=$( { echo "$want"; stat -c '%s %Y' "$KSOURCE_TAR"; cat "$frag" "$0"; } | sha256sum | cut -c1-16)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] &&
   [ -d "$out/root/lib/modules" ]; then
	echo "debug-kernel: up to date ($(ls "$out/root/lib/modules"), stamp $stamp)"
	exit 0
fi

t0=$(date +%s)
mkdir -p "$out"
rm -f "$out/stamp"
if [ ! -f "$out/src/.unpacked-$want" ]; then
	echo "debug-kernel: unpacking $KSOURCE_TAR"
	rm -rf "$out/src" "$out/src.tmp"
	mkdir -p "$out/src.tmp"
	tar -xJf "$KSOURCE_TAR" -C "$out/src.tmp"
	mv "$out/src.tmp/$top" "$out/src"
	rmdir "$out/src.tmp"
	touch "$out/src/.unpacked-$want"
fi
have=$(kversion "$out/src/Makefile")
if [ "$have" != "$want" ]; then
	echo "debug-kernel: linux-source is $have but the rig's kernel is $want" >&2
	exit 1
fi

# PVH boot (how the rig starts kernels) runs xen_prepare_pvh() in C before
# kasan_early_init() has mapped the shadow: instrumented, it faults and the VM
# resets without a word.  Build the PVH entry code without KASAN.
pvhmk=$out/src/arch/x86/platform/pvh/Makefile
grep -q '^KASAN_SANITIZE' "$pvhmk" ||
	printf '%s\n' '# pviommu debug-kernel.sh: runs before the KASAN shadow exists' \
		'KASAN_SANITIZE := n' 'KCOV_INSTRUMENT := n' >>"$pvhmk"

k() { nice -n 10 make -C "$out/src" -j"$jobs" "$@"; }
echo "debug-kernel: configuring $have (defconfig + $frag)"
k -s defconfig
"$out/src/scripts/kconfig/merge_config.sh" -m -O "$out/src" \
	"$out/src/.config" "$frag" >/dev/null
k -s olddefconfig
# Every line of the fragment must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$out/src/.config" || { echo "debug-kernel: not applied: $line" >&2; bad=1; } ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		! grep -q "^$sym=" "$out/src/.config" || { echo "debug-kernel: not applied: $line" >&2; bad=1; } ;;
	esac
done <"$frag"
[ $bad -eq 0 ] || exit 1

echo "debug-kernel: building (nice -n 10 make -j$jobs)"
k -s vmlinux bzImage modules
rel=$(k -s kernelrelease)
rm -rf "$out/root.tmp"
mkdir -p "$out/root.tmp/boot"
cp "$out/src/vmlinux" "$out/root.tmp/boot/vmlinux-$rel"
cp "$out/src/arch/x86/boot/bzImage" "$out/root.tmp/boot/vmlinuz-$rel"
cp "$out/src/.config" "$out/root.tmp/boot/config-$rel"
cp "$out/src/System.map" "$out/root.tmp/boot/System.map-$rel"
k -s INSTALL_MOD_PATH="$out/root.tmp" INSTALL_MOD_STRIP=1 modules_install
rm -f "$out/root.tmp/lib/modules/$rel"/{build,source}
rm -rf "$out/root"
mv "$out/root.tmp" "$out/root"
echo "$stamp" >"$out/stamp"
echo "debug-kernel: $rel in $out/root ($(( $(date +%s) - t0 )) s)"
