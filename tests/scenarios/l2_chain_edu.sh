#!/bin/sh
# Full chain with edu: L1 assigns the L0-emulated edu to L2 behind
# virtio-iommu-pci,vhost=on,boot-bypass=off (patched QEMU, vhost_iommu.ko).
# L2 (on_l2) checks that edu's DMA is refused while its
# endpoint is unattached, lands in an identity domain, works after MAP and
# stops after UNMAP through VFIO type1 on top of pviommu.ko.  This side
# checks that the host IOMMU itself recorded the refused DMA: a DMAR fault
# from edu at each page address L2 reported.
#
#: level 2
# L2 runs pviommu.ko: the frontend of kernels without virtio-iommu.
#: l2-kernel 6.1

on_l1() {
	chain_assign 1234:11e8 edu || exit 1
	edu=$chain_bdf
	vhost_stats_sampler /tmp/vs &
	sampler=$!
	L2_QEMU=/usr/bin/qemu-pviommu l2_run l2_chain_edu \
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
		/tmp/l2-l2_chain_edu-*.log | sort -u)
	check "L2 reported the blocked pages' addresses (${pas:-none})" [ -n "$pas" ]
	for pa in $pas; do
		check "the host IOMMU refused edu's write to L2's page $pa (DMAR fault)" \
			eval "dmesg | grep -q 'DMA Write.*Request device \[${edu#0000:}\] fault addr $pa '"
	done
	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

# L2 side of l2_chain_edu.  edu is bound to no driver in L2 throughout, until
# VFIO takes it:
#   1. unattached: no IOMMU driver has run, the endpoint is attached to no
#      domain and config.bypass is 0 (boot-bypass=off): edu_raw's DMA to a
#      page must be blocked;
#   2. pviommu.ko puts edu in an identity (bypass) domain: the same raw DMA
#      lands (the control for 1);
#   3. VFIO type1 on top of pviommu.ko: edu_type1 (DMA after MAP, none after
#      UNMAP).
on_l2() {
	edu=$(pci_find 1234:11e8)
	check "edu found in L2 (at ${edu:-nowhere})" [ -n "$edu" ] || exit 1
	dev=/sys/bus/pci/devices/$edu

	check "edu is in no IOMMU group yet (pviommu not loaded)" [ ! -e "$dev/iommu_group" ]
	edu_raw "$edu" blocked | tap_import "unattached: "

	pviommu_load
	check "edu $edu is in an IOMMU group" [ -e "$dev/iommu_group" ] || exit 1
	gtype=/sys/kernel/iommu_groups/$(basename "$(readlink "$dev/iommu_group")")/type
	check "edu's group switched to an identity domain" \
		eval "echo identity >$gtype && [ \"\$(cat $gtype)\" = identity ]" ||
		dmesg | tail -n 3 | while IFS= read -r l; do diag "dmesg: $l"; done
	edu_raw "$edu" lands | tap_import "identity: "
	check "edu's group back to a DMA domain" eval "echo DMA >$gtype && [ \"\$(cat $gtype)\" = DMA ]"

	# virtio-iommu does no interrupt remapping (edu_type1 polls anyway).
	check "modprobe vfio_iommu_type1 allow_unsafe_interrupts=1" \
		modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
	check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
	edu_type1 "$edu" | tap_import "edu_type1: "
}
