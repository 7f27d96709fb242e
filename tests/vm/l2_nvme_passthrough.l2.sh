#!/bin/sh
# L2 side of the NVMe passthrough test: write pseudo-random data to the
# assigned controller's namespace with O_DIRECT, read it back, compare, and
# report the checksum as the fact nvme_md5 for the host hook.
. /tests/lib.sh

# The region written; l2_nvme_passthrough.host reads the same one.
OFFSET_MIB=16
SIZE_MIB=8
dev=/dev/nvme0n1

modprobe nvme
i=0
while [ ! -b $dev ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "$dev appeared" [ -b $dev ] || exit 1
read -r serial </sys/class/nvme/nvme0/serial # space-padded; read trims it
check "it is the rig's disk (serial ${serial:-none})" [ "$serial" = pviommu0 ] || exit 1

nvme_write_check $dev $OFFSET_MIB $SIZE_MIB
