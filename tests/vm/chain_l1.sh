#!/bin/sh
# Shared L1 side of the full-chain tests (sourced, not a test itself):
# the L0-emulated NVMe goes to vfio-pci in L1 and is assigned to L2, which runs
# the patched QEMU (vmm/qemu, /usr/bin/qemu-pviommu) with the device behind
# -device virtio-iommu-pci,vhost=$CHAIN_VHOST.  L2 runs chain_l2.sh
# (pviommu.ko, then nvme: O_DIRECT checksums and an ext2 filesystem that
# survives a remount).  QEMU traces virtio_iommu_* to a file, so that this
# side can tell which backend handled the requests.
#
#   CHAIN_VHOST   on (vhost_iommu.ko) or off (QEMU's userspace virtio-iommu)
#   CHAIN_L2      the L2 script name
#   CHAIN_EDU     1: assign the edu device too (a second endpoint)
# and l2_run's L2_KERNEL, L2_INITRD, L2_MEM for another guest kernel.
. /tests/lib.sh

DBG=/sys/kernel/debug
TRACE=/tmp/l2-qemu-trace.log
VSTATS=/tmp/vhost-iommu-stats

bdf=$(pci_find 1b36:0010)
check "NVMe controller found (at ${bdf:-nowhere})" [ -n "$bdf" ] || exit 1
check "the image carries the patched QEMU /usr/bin/qemu-pviommu" \
	[ -x /usr/bin/qemu-pviommu ] || exit 1
check "NVMe $bdf bound to vfio-pci" vfio_bind "$bdf" || exit 1
edu_dev=
if [ "${CHAIN_EDU:-0}" = 1 ]; then
	edu=$(pci_find 1234:11e8)
	check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
	edu_dev="-device vfio-pci,host=$edu,rombar=0"
fi
mount -t debugfs none $DBG 2>/dev/null
if [ "$CHAIN_VHOST" = on ]; then
	check "modprobe vhost_iommu" modprobe vhost_iommu || exit 1
fi

vhost_stats_sampler $VSTATS &
sampler=$!

L2_QEMU=/usr/bin/qemu-pviommu L2_MACHINE=pc l2_run "$CHAIN_L2" \
	-L /usr/share/qemu -L /usr/share/seabios \
	-device "virtio-iommu-pci,vhost=$CHAIN_VHOST" \
	-device "vfio-pci,host=$bdf,rombar=0" $edu_dev \
	-trace 'virtio_iommu_*' -D $TRACE
kill $sampler 2>/dev/null
wait $sampler 2>/dev/null

# tcount EVENT: how many times QEMU traced EVENT
tcount() { grep -c "^$1 " $TRACE 2>/dev/null; }
# vstat NAME: the last sampled vhost-iommu counter NAME
vstat() { sed -n "s/^$1 //p" $VSTATS 2>/dev/null; }

diag "QEMU trace: $(tcount virtio_iommu_attach) attach, $(tcount virtio_iommu_map) map, $(tcount virtio_iommu_unmap) unmap, $(tcount virtio_iommu_vhost_start) vhost start"
fact qemu_trace_map "$(tcount virtio_iommu_map)"
fact qemu_trace_unmap "$(tcount virtio_iommu_unmap)"
fact qemu_trace_attach "$(tcount virtio_iommu_attach)"
if [ "$CHAIN_VHOST" = on ]; then
	check "QEMU declared the NVMe as a vhost-iommu endpoint (trace)" \
		[ "$(tcount virtio_iommu_vhost_add_endpoint)" -ge 1 ]
	check "QEMU started the vhost backend (trace)" \
		[ "$(tcount virtio_iommu_vhost_start)" -ge 1 ]
	check "vhost-iommu counters were sampled while L2 ran" [ -s $VSTATS ]
	while IFS= read -r l; do diag "vhost-iommu: $l"; done <$VSTATS
	for t in attach map unmap probe; do
		fact "vhost_$t" "$(vstat requests.$t)"
	done
	fact vhost_status_ok "$(vstat status.ok)"
	check "the kernel handled ATTACH requests ($(vstat requests.attach))" \
		[ "$(vstat requests.attach)" -ge 1 ]
	check "the kernel handled MAP requests ($(vstat requests.map))" \
		[ "$(vstat requests.map)" -ge 100 ]
	check "the kernel handled UNMAP requests ($(vstat requests.unmap))" \
		[ "$(vstat requests.unmap)" -ge 100 ]
	check "QEMU's userspace handler saw no ATTACH/MAP/UNMAP (trace: $(tcount virtio_iommu_attach)/$(tcount virtio_iommu_map)/$(tcount virtio_iommu_unmap))" \
		[ "$(tcount virtio_iommu_attach)$(tcount virtio_iommu_map)$(tcount virtio_iommu_unmap)" = 000 ]
	check "no vhost-iommu device left after L2 exited" \
		[ -z "$(ls $DBG/vhost-iommu 2>/dev/null)" ]
else
	check "QEMU's userspace handler did the MAPs ($(tcount virtio_iommu_map))" \
		[ "$(tcount virtio_iommu_map)" -ge 100 ]
	check "no vhost-iommu device was used" [ ! -s $VSTATS ]
fi
check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
