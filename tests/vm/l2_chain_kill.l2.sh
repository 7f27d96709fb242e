#!/bin/sh
# L2 side of l2_chain_kill (and of the soak's killed run): pviommu.ko + nvme,
# one O_DIRECT write checked through the kernel path, then O_DIRECT I/O in a
# loop until L1 kills this VM's QEMU.
. /tests/lib.sh
modprobe pviommu && modprobe virtio_pci && modprobe nvme
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "/dev/nvme0n1 appeared" [ -b /dev/nvme0n1 ] || exit 1
nvme_write_check /dev/nvme0n1 48 4
echo IO-LOOP
while :; do
	dd if=/dev/urandom of=/dev/nvme0n1 bs=64k seek=512 count=128 oflag=direct 2>/dev/null
	dd if=/dev/nvme0n1 of=/dev/null bs=64k skip=512 count=128 iflag=direct 2>/dev/null
done
