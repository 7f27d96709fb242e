#!/bin/sh
# L1: pviommu.ko, the guest frontend, on Debian's stock kernel (no
# CONFIG_VIRTIO_IOMMU, no ACPI_VIOT) in front of QEMU's virtio-iommu-pci, the
# reference device.  NVMe DMA through it in lazy (DMA-FQ) and strict (DMA)
# mode, MSI-X, the MSI reserved region, debugfs counters, the DMA
# microbenchmark, refused rmmod, clean removal and reload.  The host hook
# (on_host) checks the disk image and QEMU's virtio_iommu trace.
#
#: level 1
# pviommu.ko is the frontend of kernels without virtio-iommu.
#: kernel 6.1
#: iommu virtio
#: qemu-args -trace virtio_iommu_attach -trace virtio_iommu_map -trace virtio_iommu_unmap
#: debug.kernel debug
#: debug.timeout 600

# The regions written, in MiB, and read back by on_host.
OFFSETS="16 40"
SIZE_MIB=8

on_l1() {
	debug_begin
	DBG=/sys/kernel/debug

	viommu=$(pci_find 1af4:1057)
	check "virtio-iommu-pci found (at ${viommu:-nowhere})" [ -n "$viommu" ] || exit 1
	nvme=$(pci_find 1b36:0010)
	check "NVMe controller found (at ${nvme:-nowhere})" [ -n "$nvme" ] || exit 1
	# Endpoint ID = requester ID in QEMU's VIOT.
	b=${nvme#*:}
	s=${b#*:}
	fact nvme_rid $(( (0x${b%%:*} << 8) | (0x${s%.*} << 3) | ${nvme##*.} ))

	mount -t debugfs none $DBG 2>/dev/null

	# pviommu first, then the transport, then the endpoints' drivers.
	check "modprobe pviommu (pulls in pviommu_proto)" modprobe pviommu
	check "modprobe virtio_pci" modprobe virtio_pci
	vdev=$(basename "$(ls -d /sys/bus/virtio/drivers/pviommu/virtio* 2>/dev/null | head -n1)")
	check "pviommu drives the virtio-iommu device (${vdev:-none})" [ -n "$vdev" ] || exit 1
	check "an IOMMU is registered in /sys/class/iommu" [ -n "$(ls /sys/class/iommu)" ]
	dmesg | grep -E 'pviommu|virtio' | grep -iE 'VIOT|input range' | while IFS= read -r l; do diag "$l"; done

	check "modprobe nvme" modprobe nvme
	nvme_wait /dev/nvme0n1 || exit 1

	# The group is checked once nvme is bound: on Debian's kernel pviommu.ko gave
	# the endpoint its fwspec when the IOMMU registered, but a kernel with ACPI
	# VIOT built in (the debug flavour) gives it one only when a driver binds.
	grp_of() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
	check "nvme $nvme is in an IOMMU group" [ -e "/sys/bus/pci/devices/$nvme/iommu_group" ] || exit 1
	grp=$(grp_of "$nvme")
	check "its default domain is lazy: DMA-FQ ($(cat /sys/kernel/iommu_groups/$grp/type))" \
		[ "$(cat /sys/kernel/iommu_groups/$grp/type)" = DMA-FQ ]
	diag "reserved regions: $(tr '\n' ';' </sys/kernel/iommu_groups/$grp/reserved_regions)"
	check "reserved regions hold the x86 MSI window as msi" \
		grep -q '^0x00000000fee00000 0x00000000feefffff msi$' /sys/kernel/iommu_groups/$grp/reserved_regions

	# write_read OFF: write SIZE_MIB random MiB at OFF with O_DIRECT, read back.
	for off in $OFFSETS; do
		dd if=/dev/urandom of=/tmp/pat$off bs=1M count=$SIZE_MIB 2>/dev/null
		want=$(md5sum </tmp/pat$off | cut -d' ' -f1)
		fact nvme_md5_$off "$want"
		check "O_DIRECT write of $SIZE_MIB MiB at $off MiB" \
			dd if=/tmp/pat$off of=/dev/nvme0n1 bs=1M seek=$off oflag=direct conv=fsync 2>/dev/null
		got=$(dd if=/dev/nvme0n1 bs=1M skip=$off count=$SIZE_MIB iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
		check "O_DIRECT read-back at $off MiB matches (md5 $got)" [ "$got" = "$want" ]
	done

	irqs=$(grep nvme /proc/interrupts | grep -c MSI)
	count=$(grep nvme /proc/interrupts | awk '{ for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }')
	check "nvme uses MSI-X through the IOMMU ($irqs vectors, $count interrupts)" \
		eval '[ "$irqs" -gt 0 ] && [ "$count" -gt 0 ]'

	diag "stats: $(tr '\n' ' ' <$DBG/pviommu/stats)"
	check "debugfs: PROBE, ATTACH, MAP and UNMAP sent" \
		eval '[ "$(pviommu_stat sent_PROBE)" -ge 1 ] && [ "$(pviommu_stat sent_ATTACH)" -ge 1 ] &&
		      [ "$(pviommu_stat sent_MAP)" -gt 0 ] && [ "$(pviommu_stat sent_UNMAP)" -gt 0 ]'
	check "debugfs: no request failed" [ "$(pviommu_stat request_errors)" = 0 ]

	check "modprobe pviommu_dmabench" modprobe pviommu_dmabench
	bench() {
		echo "$nvme 4096 2000" >$DBG/pviommu_dmabench/run || return 1
		r=$(cat $DBG/pviommu_dmabench/run)
		diag "dmabench: $r"
		case $r in *"domain $1 "*"errors 0 "*) return 0 ;; esac
		return 1
	}
	check "dmabench, lazy mode" bench 'DMA-FQ(lazy)'

	# Strict mode: the group's domain type, changed while nvme is unbound.
	echo "$nvme" >/sys/bus/pci/drivers/nvme/unbind
	check "group type set to DMA (strict)" sh -c "echo DMA >/sys/kernel/iommu_groups/$grp/type"
	echo "$nvme" >/sys/bus/pci/drivers/nvme/bind
	blk_wait /dev/nvme0n1
	check "dmabench, strict mode" bench 'DMA(strict)'
	for off in $OFFSETS; do
		want=$(md5sum </tmp/pat$off | cut -d' ' -f1)
		got=$(dd if=/dev/nvme0n1 bs=1M skip=$off count=$SIZE_MIB iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
		check "strict mode: read-back at $off MiB matches" [ "$got" = "$want" ]
	done

	# Lifecycle.  rmmod must be refused while endpoints hang on the IOMMU.
	check "rmmod pviommu refused while nvme is attached" eval '! rmmod pviommu 2>/dev/null'
	check "unbind the virtio-iommu device from pviommu" \
		sh -c "echo $vdev >/sys/bus/virtio/drivers/pviommu/unbind"
	check "nvme was unbound first" [ ! -e "/sys/bus/pci/devices/$nvme/driver" ]
	check "nvme left its IOMMU group" [ ! -e "/sys/bus/pci/devices/$nvme/iommu_group" ]
	diag "stats after removal: $(tr '\n' ' ' <$DBG/pviommu/stats)"
	balanced() { [ "$(pviommu_stat "$1"_alloc)" = "$(pviommu_stat "$1"_free)" ]; }
	check "no leak: requests, mappings, domains, endpoints, reserved regions" \
		eval 'balanced requests && balanced mappings && balanced domains && balanced endpoints && balanced resv_regions'
	check "no live mapping, domain or endpoint" \
		[ "$(pviommu_stat mappings_live)$(pviommu_stat domains_live)$(pviommu_stat endpoints_live)" = 000 ]
	check "rmmod pviommu_dmabench pviommu" rmmod pviommu_dmabench pviommu

	check "modprobe pviommu again" modprobe pviommu
	echo "$nvme" >/sys/bus/pci/drivers/nvme/bind
	blk_wait /dev/nvme0n1
	check "nvme is back in an IOMMU group" [ -e "/sys/bus/pci/devices/$nvme/iommu_group" ]
	for off in $OFFSETS; do
		want=$(md5sum </tmp/pat$off | cut -d' ' -f1)
		got=$(dd if=/dev/nvme0n1 bs=1M skip=$off count=$SIZE_MIB iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
		check "after reload: read-back at $off MiB matches" [ "$got" = "$want" ]
	done
	# The device must be quiet before the VM powers off.
	sync
	debug_guest_end l1_guest_nvme
}

# Host side of l1_guest_nvme, run after L0 QEMU exited: what L1 wrote through
# pviommu must be in the disk image, and QEMU's virtio-iommu trace must show
# the driver's ATTACH of the NVMe endpoint and MAP/UNMAP traffic.
on_host() {
	for off in $OFFSETS; do
		want=$(sed -n "s/^nvme_md5_$off=//p" "$RIG_FACTS" | tail -n1)
		got=$(dd if="$RIG_DISK" bs=1M skip="$off" count=$SIZE_MIB 2>/dev/null | md5sum | cut -d' ' -f1)
		check "disk image at $off MiB holds what L1 wrote (md5 ${want:-none})" \
			eval '[ -n "$want" ] && [ "$got" = "$want" ]'
	done

	rid=$(sed -n 's/^nvme_rid=//p' "$RIG_FACTS" | tail -n1)
	trace=$(grep -E '^virtio_iommu_(attach|map|unmap) ' "$RIG_QEMU_LOG")
	attach=$(echo "$trace" | grep -c "virtio_iommu_attach .*endpoint=${rid:-x}\$")
	maps=$(echo "$trace" | grep -c 'virtio_iommu_map ')
	unmaps=$(echo "$trace" | grep -c 'virtio_iommu_unmap ')
	check "QEMU trace: ATTACH of the NVMe endpoint $rid ($attach times)" [ "$attach" -ge 1 ]
	check "QEMU trace: MAP ($maps) and UNMAP ($unmaps) requests" eval '[ "$maps" -gt 0 ] && [ "$unmaps" -gt 0 ]'
}
