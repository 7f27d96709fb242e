#!/bin/sh
# Boot from an assigned disk: the rig's NVMe holds a FAT filesystem with
# syslinux, a kernel and an initrd (tests/rig/boot-disk); L1 assigns it to an
# L2 with no -kernel, behind virtio-iommu-pci,vhost=on.
#   - boot-bypass=on (the default): SeaBIOS reads syslinux, the kernel and
#     the initrd from the NVMe by DMA through the kernel's identity domain
#     (QEMU gave the kernel the memory table before the driver started), and
#     the L2 it booted runs Linux's own virtio_iommu and its disk I/O through
#     vhost-iommu: a write read back in L2 and found in the disk image.
#   - boot-bypass=off: the firmware's DMA is refused (DMAR faults of the NVMe
#     in L1's log), nothing boots, and the VM ends when SeaBIOS gives up.
#
#: level 2
#: disk boot

BOOT_DATA_MIB=56
BOOT_DATA_SZ=4

on_l1() {
	local nvme sampler faults0 faults rc log=/tmp/l2-refused.log
	chain_assign 1b36:0010 "NVMe controller" || exit 1
	nvme=$chain_bdf

	vhost_stats_sampler /tmp/vhost-iommu-stats &
	sampler=$!
	L2_QEMU=/usr/bin/qemu-pviommu L2_BOOT=disk l2_run l2_boot_disk \
		-L /usr/share/qemu -L /usr/share/seabios \
		-device virtio-iommu-pci,vhost=on \
		-device "vfio-pci,host=$nvme,bootindex=1" \
		-trace 'virtio_iommu_vhost_*' -D /tmp/l2-qemu-trace.log
	kill $sampler 2>/dev/null
	wait $sampler 2>/dev/null
	check "SeaBIOS booted syslinux from the assigned NVMe (its banner on L2's console)" \
		grep -q 'SYSLINUX 6' /tmp/l2-l2_boot_disk-*.log
	check "QEMU gave the kernel the memory table before the driver started (trace: $(_chain_tcount virtio_iommu_vhost_mem_table))" \
		eval '[ "$(sed -n "/^virtio_iommu_vhost_start /q;/^virtio_iommu_vhost_mem_table /p" /tmp/l2-qemu-trace.log | wc -l)" -ge 1 ]'
	check "the booted L2's I/O went through vhost-iommu ($(_chain_vstat requests.map) MAPs)" \
		[ "$(_chain_vstat requests.map)" -ge 100 ]

	# boot-bypass=off: the firmware reaches no memory, so it cannot read the
	# disk.  SeaBIOS finds no bootable device and asks for a reboot after
	# 1 s, which -no-reboot turns into the VM's end.
	faults0=$(_boot_nvme_faults "$nvme")
	timeout -s KILL 180 /usr/bin/qemu-pviommu -L /usr/share/qemu -L /usr/share/seabios \
		-accel kvm -M pc -cpu "$RIG_L2_CPU" -m 256 -nodefaults -display none \
		-serial "file:$log" -no-reboot -boot reboot-timeout=1000 \
		-device virtio-iommu-pci,vhost=on,boot-bypass=off \
		-device "vfio-pci,host=$nvme,bootindex=1" >"$log.qemu" 2>&1
	rc=$?
	check "boot-bypass=off: the VM ends by itself, with status 0 ($(exit_desc $rc))" [ $rc = 0 ]
	faults=$(_boot_nvme_faults "$nvme")
	tr -d '\r' <"$log" | tail -n 4 | while IFS= read -r l; do diag "refused L2| $l"; done
	check "boot-bypass=off: nothing was loaded from the disk (no syslinux banner, no /init)" \
		eval '! grep -qE "SYSLINUX 6|reached /init" "$log"'
	check "boot-bypass=off: the host IOMMU refused the firmware's DMA from the NVMe ($faults0 -> $faults DMAR faults)" \
		[ "$faults" -gt "$faults0" ]
	check "no vhost-iommu device left" [ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]
	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

# DMAR fault records of L1's device BDF in L1's kernel log.
_boot_nvme_faults() {
	dmesg | grep -c "DMAR: .*Request device \[${1#0000:}\]"
}

# L2, booted from the disk: it came from syslinux's command line, and its
# disk works through Linux's virtio_iommu (driven by vhost-iommu in L1).
on_l2() {
	local dev=/dev/nvme0n1
	check "L2's command line is the boot disk's syslinux.cfg ($(cat /proc/cmdline))" \
		grep -q 'rig_test=l2_boot_disk' /proc/cmdline
	check "modprobe virtio_iommu (before the endpoint drivers)" modprobe virtio_iommu
	modprobe virtio_pci
	check "modprobe nvme" modprobe nvme
	nvme_wait $dev || exit 1
	check "the NVMe is in an IOMMU group of virtio_iommu" \
		[ -e "/sys/bus/pci/devices/$(pci_find 1b36:0010)/iommu_group" ]
	check "the disk holds the filesystem L2 booted from (its label)" \
		eval 'dd if=$dev bs=512 count=1 iflag=direct 2>/dev/null | grep -q PVIOMMUBOOT'
	nvme_write_check $dev $BOOT_DATA_MIB $BOOT_DATA_SZ
}

# Host side: the disk image holds what L2 wrote.
on_host() {
	local want got
	want=$(sed -n 's/^nvme_md5=//p' "$RIG_FACTS")
	got=$(dd if="$RIG_DISK" bs=1M skip=$BOOT_DATA_MIB count=$BOOT_DATA_SZ 2>/dev/null | md5sum | cut -d' ' -f1)
	check "disk image holds L2's write: md5 $got at $BOOT_DATA_MIB MiB (L2: ${want:-none})" \
		eval '[ -n "$want" ] && [ "$got" = "$want" ]'
}
