#!/bin/sh
# L1: DMA through VFIO type1 and the (emulated) Intel IOMMU, with QEMU's edu
# device.  edu_type1 (tests/programs/edu_type1.c) does the VFIO work and
# asserts on memory contents: mapped buffers receive the DMA, an unmapped one
# does not.
#
#: level 1

on_l1() {
	bdf=$(pci_find 1234:11e8)
	check "edu found by vendor:device 1234:11e8 (at ${bdf:-nowhere})" [ -n "$bdf" ] || exit 1
	check "edu $bdf is in an IOMMU group" [ -e "/sys/bus/pci/devices/$bdf/iommu_group" ] || exit 1
	check "edu $bdf bound to vfio-pci" vfio_bind "$bdf" || exit 1
	edu_type1 "$bdf" | tap_import "edu_type1: "
}
