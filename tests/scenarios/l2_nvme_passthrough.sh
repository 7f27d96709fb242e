#!/bin/sh
# NVMe passthrough without a vIOMMU: the L0 NVMe controller goes to vfio-pci in
# L1 and is assigned to L2 (KVM), which writes pseudo-random data to its
# namespace with O_DIRECT, reads it back and compares; the host then finds it
# in the disk image (chain_host, the same region as the full chain's).
#
#: level 2

on_l1() {
	local bdf
	bdf=$(pci_find 1b36:0010)
	check "NVMe controller found by vendor:device 1b36:0010 (at ${bdf:-nowhere})" [ -n "$bdf" ] || exit 1
	check "NVMe $bdf bound to vfio-pci" vfio_bind "$bdf" || exit 1
	l2_run l2_nvme_passthrough -device "vfio-pci,host=$bdf,rombar=0"
}

on_l2() {
	modprobe nvme
	nvme_wait /dev/nvme0n1 || exit 1
	nvme_is_rig_disk || exit 1
	nvme_write_check /dev/nvme0n1 $CHAIN_OFFSET_MIB $CHAIN_SIZE_MIB
}

on_host() {
	chain_host
}
