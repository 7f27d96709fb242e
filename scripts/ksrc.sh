#!/usr/bin/env bash
# Unpack the few private kernel files the modules and checks need from a
# linux-source-<series> tarball, after checking that the source is the same
# kernel version as the headers the modules build against.  Among them, the
# kernel's own userspace copy of the rbtree (tools/lib/rbtree.c and the
# tools/include headers that it and <linux/interval_tree_generic.h> need),
# which libpviommu.a and its tests build proto/ on: the same interval tree
# as the kernel build, never a copy of ours.
#
# usage: scripts/ksrc.sh <linux-source tarball> <headers dir> <out dir>
#
# Debian's /usr/src/linux-source-<series>.tar.xz holds one directory named
# after the tarball: linux-source-<series>/.
set -euo pipefail

tarball=$1 headers=$2 out=$3
top=$(basename "$tarball" .tar.xz)
case $top in
linux-source-[0-9]*) ;;
*) echo "ksrc: $tarball is not a linux-source-<series>.tar.xz" >&2; exit 1 ;;
esac
files=(
	Makefile
	drivers/vhost/vhost.h
	drivers/vfio/vfio.h
	drivers/iommu/dma-iommu.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	tools/lib/rbtree.c
	tools/include/linux/build_bug.h
	tools/include/linux/compiler-gcc.h
	tools/include/linux/compiler.h
	tools/include/linux/compiler_types.h
	tools/include/linux/export.h
	tools/include/linux/interval_tree_generic.h
	tools/include/linux/kernel.h
	tools/include/linux/math.h
	tools/include/linux/panic.h
	tools/include/linux/rbtree.h
	tools/include/linux/rbtree_augmented.h
	tools/include/linux/types.h
)

# shellcheck source=kversion.sh
. "$(dirname "$0")/kversion.sh"
want=$(headers_kversion "$headers")
[ -n "$want" ] || { echo "ksrc: cannot read the version of $headers" >&2; exit 1; }

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
tar -xJf "$tarball" -C "$out.tmp" "${files[@]/#/$top/}"
have=$(kversion "$out.tmp/$top/Makefile")
if [ "$have" != "$want" ]; then
	echo "ksrc: linux-source is $have but the headers are $want" >&2
	rm -rf "$out.tmp"
	exit 1
fi
rm -rf "$out"
mv "$out.tmp/$top" "$out"
touch "$out/Makefile"
rm -rf "$out.tmp"
echo "ksrc: private headers and the userspace rbtree of $have in $out"
