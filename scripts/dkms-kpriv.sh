#!/usr/bin/env bash
# The PRE_BUILD step of pviommu's DKMS recipes (vhost-iommu/dkms.conf,
# guest/dkms.conf): the private kernel headers the modules need (vhost.h,
# vfio.h, dma-iommu.h), which no headers package ships, taken from the
# target kernel's own source, /usr/src/linux-source-<series>.tar.xz, once
# scripts/ksrc.sh has checked that it is the version of the kernel's headers.
# They land in kpriv/ of DKMS's build directory (the current directory),
# which the recipes' MAKE passes as PVIOMMU_KPRIV.
#
# usage: scripts/dkms-kpriv.sh KERNEL_SOURCE_DIR   (DKMS's ${kernel_source_dir})
set -euo pipefail

here=$(dirname "$0")
headers=$1
# shellcheck source=kversion.sh
. "$here/kversion.sh"
kver=$(headers_kversion "$headers")
[ -n "$kver" ] || { echo "dkms-kpriv: cannot read the version of $headers" >&2; exit 1; }
series=${kver%.*}
tarball=/usr/src/linux-source-$series.tar.xz
if [ ! -f "$tarball" ]; then
	echo "dkms-kpriv: $tarball is missing: install linux-source-$series at the version of the kernel's headers ($kver)" >&2
	exit 1
fi
exec bash "$here/ksrc.sh" "$tarball" "$headers" kpriv
