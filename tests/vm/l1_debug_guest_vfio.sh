#!/bin/sh
# L1, debug kernel (make check-debug): l1_guest_vfio.sh (VFIO type1 on pviommu.ko
# in front of QEMU's virtio-iommu-pci) under KASAN, lockdep and
# kmemleak; see debug_guest_suite in debug_lib.sh.
. /tests/lib.sh
. /tests/debug_lib.sh

debug_guest_suite l1_guest_vfio
