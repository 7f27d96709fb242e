#!/bin/sh
# L1 side of the NVMe passthrough test: the L0 NVMe controller goes to vfio-pci
# here and is assigned to L2 (KVM), which runs l2_nvme_passthrough.l2.sh.  The
# host hook, l2_nvme_passthrough.host, then checks the disk image.
. /tests/lib.sh

bdf=$(pci_find 1b36:0010)
check "NVMe controller found by vendor:device 1b36:0010 (at ${bdf:-nowhere})" [ -n "$bdf" ] || exit 1
check "NVMe $bdf bound to vfio-pci" vfio_bind "$bdf" || exit 1
l2_run l2_nvme_passthrough.l2 -device "vfio-pci,host=$bdf,rombar=0"
