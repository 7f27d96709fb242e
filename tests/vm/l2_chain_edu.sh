#!/bin/sh
# Full chain with edu: L1 assigns the L0-emulated edu to L2 behind
# virtio-iommu-pci,vhost=on (patched QEMU, vhost_iommu.ko).  In L2, VFIO
# type1 runs on top of pviommu.ko and edu_type1 checks that edu's DMA works
# after MAP, stops after UNMAP and is refused for an unattached endpoint.
. /tests/lib.sh

DBG=/sys/kernel/debug
edu=$(pci_find 1234:11e8)
check "edu found (at ${edu:-nowhere})" [ -n "$edu" ] || exit 1
check "the image carries the patched QEMU /usr/bin/qemu-pviommu" \
	[ -x /usr/bin/qemu-pviommu ] || exit 1
check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
mount -t debugfs none $DBG 2>/dev/null
check "modprobe vhost_iommu" modprobe vhost_iommu || exit 1
(
	while :; do
		for f in $DBG/vhost-iommu/*/stats; do
			[ -f "$f" ] && cat "$f" >/tmp/vs.new 2>/dev/null && mv /tmp/vs.new /tmp/vs
		done
		sleep 0.2
	done
) &
sampler=$!
L2_QEMU=/usr/bin/qemu-pviommu l2_run l2_chain_edu.l2 \
	-L /usr/share/qemu -L /usr/share/seabios \
	-device virtio-iommu-pci,vhost=on -device "vfio-pci,host=$edu,rombar=0"
kill $sampler 2>/dev/null
wait $sampler 2>/dev/null
diag "vhost-iommu: $(tr '\n' ' ' </tmp/vs 2>/dev/null)"
check "the kernel handled L2's MAPs ($(sed -n 's/^requests.map //p' /tmp/vs 2>/dev/null))" \
	[ "$(sed -n 's/^requests.map //p' /tmp/vs 2>/dev/null)" -ge 1 ]
check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
