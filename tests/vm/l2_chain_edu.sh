#!/bin/sh
# Full chain with edu: L1 assigns the L0-emulated edu to L2 behind
# virtio-iommu-pci,vhost=on,boot-bypass=off (patched QEMU, vhost_iommu.ko).
# L2 (l2_chain_edu.l2.sh) checks that edu's DMA is refused while its
# endpoint is unattached, lands in an identity domain, works after MAP and
# stops after UNMAP through VFIO type1 on top of pviommu.ko.  This side
# checks that the host IOMMU itself recorded the refused DMA: a DMAR fault
# from edu at each page address L2 reported.
. /tests/lib.sh

chain_assign 1234:11e8 edu || exit 1
edu=$chain_bdf
vhost_stats_sampler /tmp/vs &
sampler=$!
L2_QEMU=/usr/bin/qemu-pviommu l2_run l2_chain_edu.l2 \
	-L /usr/share/qemu -L /usr/share/seabios \
	-device virtio-iommu-pci,vhost=on,boot-bypass=off \
	-device "vfio-pci,host=$edu,rombar=0"
kill $sampler 2>/dev/null
wait $sampler 2>/dev/null
diag "vhost-iommu: $(tr '\n' ' ' </tmp/vs 2>/dev/null)"
check "the kernel handled L2's MAPs ($(sed -n 's/^requests.map //p' /tmp/vs 2>/dev/null))" \
	[ "$(sed -n 's/^requests.map //p' /tmp/vs 2>/dev/null)" -ge 1 ]
# "ok N - unattached: DMA edu -> B1 (pa 0x7a3b000) finished" in L2's TAP.
pas=$(sed -n 's/.*ok [0-9]* - unattached: DMA edu -> B[0-9] (pa \(0x[0-9a-f]*\)).*/\1/p' \
	/tmp/l2-l2_chain_edu.l2-*.log | sort -u)
check "L2 reported the blocked pages' addresses (${pas:-none})" [ -n "$pas" ]
for pa in $pas; do
	check "the host IOMMU refused edu's write to L2's page $pa (DMAR fault)" \
		eval "dmesg | grep -q 'DMA Write.*Request device \[${edu#0000:}\] fault addr $pa '"
done
check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
