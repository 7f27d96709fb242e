#!/bin/sh
# L1, debug kernel (make check-debug): l1_guest_nvme.sh (pviommu.ko in front of
# QEMU's virtio-iommu-pci) under KASAN, lockdep and kmemleak.  This kernel has
# CONFIG_VIRTIO_IOMMU=m and so ACPI VIOT: endpoints wait for an IOMMU driver,
# and the in-tree virtio_iommu matches the same device.  The rig's images do
# not carry virtio_iommu.ko and nothing loads it; the test checks that the
# device ends up with pviommu (docs/guest.md, "The in-tree driver").
. /tests/lib.sh
. /tests/debug_lib.sh

debug_begin
( . /tests/l1_guest_nvme.sh )
drv=$(for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device")" = 0x0017 ] && basename "$(readlink "$d/driver")"
done)
check "the virtio-iommu device is driven by pviommu (driver: ${drv:-none}), virtio_iommu not loaded" \
	eval '[ "$drv" = pviommu ] && [ ! -d /sys/module/virtio_iommu ]'
debug_leaks "l1_guest_nvme"
debug_end
