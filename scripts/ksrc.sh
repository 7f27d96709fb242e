#!/usr/bin/env bash
# Unpack the few private kernel files the modules and checks need from
# linux-source-6.1, after checking that the source is the same kernel
# version as the headers the modules build against.
#
# usage: scripts/ksrc.sh <linux-source tarball> <headers dir> <out dir>
set -euo pipefail

tarball=$1 headers=$2 out=$3
top=linux-source-6.1
files=(
	Makefile
	drivers/vhost/vhost.h
	drivers/vfio/vfio.h
	drivers/iommu/dma-iommu.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
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
echo "ksrc: private headers of $have in $out"
