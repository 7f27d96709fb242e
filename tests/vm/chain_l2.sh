#!/bin/sh
# Shared L2 side of the full-chain tests (sourced): pviommu.ko (or
# CHAIN_GUEST_DRIVER, e.g. Linux's own virtio_iommu) drives the
# virtio-iommu, then nvme binds behind it.  An ext2 filesystem in the first
# 8 MiB must survive a remount; 8 MiB written with O_DIRECT at 16 MiB must
# read back, and is checked from the disk image by the host hook.
. /tests/lib.sh

OFFSET_MIB=16
SIZE_MIB=8
FS_BLOCKS=8192 # 1 KiB blocks: the filesystem stays below OFFSET_MIB
DBG=/sys/kernel/debug
dev=/dev/nvme0n1

mount -t debugfs none $DBG 2>/dev/null
drv=${CHAIN_GUEST_DRIVER:-pviommu}
check "modprobe $drv (before the endpoint drivers)" modprobe "$drv" || exit 1
check "modprobe virtio_pci" modprobe virtio_pci
vdev=$(basename "$(ls -d /sys/bus/virtio/drivers/$drv/virtio* 2>/dev/null | head -n1)")
check "$drv drives the virtio-iommu device (${vdev:-none})" [ -n "$vdev" ] || exit 1
nvme=$(pci_find 1b36:0010)

check "modprobe nvme" modprobe nvme
i=0
while [ ! -b $dev ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "$dev appeared" [ -b $dev ] || exit 1
# (With ACPI VIOT in the kernel, Linux's driver gives a device its group when
# a driver binds it; pviommu.ko gives it one when it probes the topology.)
check "the assigned NVMe ($nvme) is in an IOMMU group" \
	[ -e "/sys/bus/pci/devices/${nvme:-none}/iommu_group" ] || exit 1
read -r serial </sys/class/nvme/nvme0/serial
check "it is the rig's disk (serial ${serial:-none})" [ "$serial" = pviommu0 ] || exit 1

# A filesystem that survives a remount.
modprobe ext4 2>/dev/null
mkdir -p /mnt
check "mke2fs on $dev ($FS_BLOCKS KiB)" sh -c "mke2fs -F $dev $FS_BLOCKS >/dev/null 2>&1"
if check "mount it" mount -t ext2 $dev /mnt; then
	head -c $((4 << 20)) /dev/urandom >/tmp/file
	fwant=$(md5sum </tmp/file | cut -d' ' -f1)
	cp /tmp/file /mnt/file && sync
	check "unmount" umount /mnt
	echo 3 >/proc/sys/vm/drop_caches
	check "mount again" mount -t ext2 $dev /mnt
	fgot=$(md5sum </mnt/file 2>/dev/null | cut -d' ' -f1)
	check "the 4 MiB file survived the remount (md5 $fgot)" [ "$fgot" = "$fwant" ]
	umount /mnt
fi

nvme_write_check $dev $OFFSET_MIB $SIZE_MIB
fact nvme_mib "$SIZE_MIB"

if [ -f $DBG/pviommu/stats ]; then
	diag "pviommu: $(tr '\n' ' ' <$DBG/pviommu/stats)"
fi
check "no WARN or BUG in L2's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
