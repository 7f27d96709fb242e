#!/bin/sh
# Interop (make check-debug): our backend serves a guest driver we did not
# write.  L1 runs the stock kernel with vhost_iommu.ko; L2 boots the debug
# flavour (KASAN, lockdep, kmemleak: tests/rig/debug.config) with Linux's own
# virtio_iommu driver, behind the patched QEMU's virtio-iommu-pci,vhost=on,
# with the NVMe and edu assigned.  L2 (l2_interop_linux_driver.l2.sh): disk
# I/O with checksums, an ext2 remount, VFIO with edu, and no detector
# report.  This side: the requests were handled in L1's kernel.
CHAIN_VHOST=on
CHAIN_L2=l2_interop_linux_driver.l2
CHAIN_EDU=1
L2_KERNEL=/rig/l2-debug/bzImage
L2_INITRD="/rig/l2-debug/base.cpio /rig/l2-debug/payload.cpio"
L2_MEM=512
# The detectors report at KERN_ERR: show them (and warnings) on the console.
L2_APPEND="loglevel=5"
. /tests/lib.sh
check "the image carries the debug flavour for L2 (/rig/l2-debug)" [ -f $L2_KERNEL ] || exit 1
. /tests/chain_l1.sh
