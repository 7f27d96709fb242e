#!/bin/sh
# L1: identity default domains (iommu.passthrough=1) through pviommu.ko and
# QEMU's virtio-iommu-pci, which offers BYPASS_CONFIG: the endpoint is
# attached with ATTACH_F_BYPASS, no MAP is sent, and DMA works.
#
#: level 1
# pviommu.ko is the frontend of kernels without virtio-iommu.
#: kernel 6.1
#: iommu virtio
#: append iommu.passthrough=1

on_l1() {
	DBG=/sys/kernel/debug

	nvme=$(pci_find 1b36:0010)
	check "NVMe controller found (at ${nvme:-nowhere})" [ -n "$nvme" ] || exit 1
	mount -t debugfs none $DBG 2>/dev/null
	pviommu_load
	check "nvme $nvme is in an IOMMU group" [ -e "/sys/bus/pci/devices/$nvme/iommu_group" ] || exit 1
	grp=$(basename "$(readlink "/sys/bus/pci/devices/$nvme/iommu_group")")
	check "its default domain is identity ($(cat /sys/kernel/iommu_groups/$grp/type))" \
		[ "$(cat /sys/kernel/iommu_groups/$grp/type)" = identity ]
	check "modprobe nvme" modprobe nvme
	blk_wait /dev/nvme0n1
	dd if=/dev/urandom of=/tmp/pat bs=1M count=4 2>/dev/null
	check "O_DIRECT write of 4 MiB" dd if=/tmp/pat of=/dev/nvme0n1 bs=1M seek=8 oflag=direct conv=fsync
	check "O_DIRECT read-back matches" eval \
		'[ "$(dd if=/dev/nvme0n1 bs=1M skip=8 count=4 iflag=direct 2>/dev/null | md5sum)" = "$(md5sum </tmp/pat)" ]'
	diag "stats: $(tr '\n' ' ' <$DBG/pviommu/stats)"
	check "ATTACH sent, and not a single MAP (bypass domain)" \
		eval '[ "$(pviommu_stat sent_ATTACH)" -ge 1 ] && [ "$(pviommu_stat sent_MAP)" = 0 ]'
	check "modprobe pviommu_dmabench" modprobe pviommu_dmabench
	echo "$nvme 4096 2000" >$DBG/pviommu_dmabench/run
	r=$(cat $DBG/pviommu_dmabench/run)
	diag "dmabench: $r"
	check "dmabench in identity mode" eval 'case "$r" in *"domain identity "*"errors 0 "*) true ;; *) false ;; esac'
}
