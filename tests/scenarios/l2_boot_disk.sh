#!/bin/sh
# Boot from an assigned disk: the rig's NVMe holds a FAT filesystem with
# syslinux for BIOS and for UEFI, a kernel and an initrd
# (tests/rig/boot-disk); L1 assigns it to an L2 with no -kernel, behind
# virtio-iommu-pci,vhost=on.
#   - boot-bypass=on (the default): SeaBIOS (or OVMF, in the variant
#     l2_boot_disk:ovmf) reads syslinux, the kernel and the initrd from the
#     NVMe by DMA through the kernel's identity domain (QEMU gave the kernel
#     the memory table before the driver started), and the L2 it booted
#     runs Linux's own virtio_iommu and its disk I/O through vhost-iommu: a
#     write read back in L2 and found in the disk image.
#   - boot-bypass=off (SeaBIOS): the firmware's DMA is refused (DMAR faults
#     of the NVMe in L1's log), nothing boots, and the VM ends when SeaBIOS
#     gives up.
# The OVMF variant is not in make check: L0's QEMU aborted in 5 of 7 runs
# while the nested OVMF started (tcg_handle_interrupt() asserts the BQL;
# docs/qemu.md, "Booting from an assigned disk").
#
#: level 2
#: disk boot
#: ovmf.append rig_boot_firmware=ovmf

BOOT_DATA_MIB=56
BOOT_DATA_SZ=4
# L2's UEFI firmware (Debian's ovmf, in L1's image).
BOOT_OVMF=/usr/share/ovmf/OVMF.fd

on_l1() {
	local nvme
	chain_assign 1b36:0010 "NVMe controller" || exit 1
	nvme=$chain_bdf
	case ${RIG_BOOT_FIRMWARE:-seabios} in
	ovmf) _boot_disk_run uefi OVMF 'BdsDxe: starting Boot[0-9A-F]* "UEFI .*NVMe' -bios $BOOT_OVMF ;;
	*)
		_boot_disk_run bios SeaBIOS 'SYSLINUX 6'
		_boot_disk_refused
		;;
	esac
	check "no vhost-iommu device left" [ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]
	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

# _boot_disk_run FW NAME BOOTED [QEMU ARGS...]: boot L2 from the assigned
# NVMe ($nvme) with firmware NAME (of kind FW, bios or uefi), which prints
# BOOTED (grep -E) when it starts the disk's loader, and check that the
# loader booted L2 and that the L2 ran.
_boot_disk_run() {
	local fw=$1 name=$2 booted=$3 sampler
	shift 3
	vhost_stats_sampler /tmp/vhost-iommu-stats &
	sampler=$!
	L2_QEMU=/usr/bin/qemu-pviommu L2_BOOT=disk l2_run l2_boot_disk \
		-L /usr/share/qemu -L /usr/share/seabios "$@" \
		-device virtio-iommu-pci,vhost=on \
		-device "vfio-pci,host=$nvme,bootindex=1" \
		-trace 'virtio_iommu_vhost_*' -D /tmp/l2-qemu-trace.log
	kill $sampler 2>/dev/null
	wait $sampler 2>/dev/null
	check "$name started the loader on the assigned NVMe (L2's console: $booted)" \
		grep -qE "$booted" /tmp/l2-l2_boot_disk-*.log
	check "$name: syslinux booted L2, and L2 says its firmware was $fw" \
		grep -q "^RIG:FACT boot_firmware=$fw" /tmp/l2-l2_boot_disk-*.log
	check "$name: QEMU gave the kernel the memory table before the driver started (trace: $(_chain_tcount virtio_iommu_vhost_mem_table))" \
		eval '[ "$(sed -n "/^virtio_iommu_vhost_start /q;/^virtio_iommu_vhost_mem_table /p" /tmp/l2-qemu-trace.log | wc -l)" -ge 1 ]'
	check "$name: the booted L2's I/O went through vhost-iommu ($(_chain_vstat requests.map) MAPs)" \
		[ "$(_chain_vstat requests.map)" -ge 100 ]
}

# _boot_disk_refused: with boot-bypass=off the firmware reaches no memory,
# so it cannot read the disk ($nvme).  SeaBIOS finds no bootable device and
# asks for a reboot after 1 s, which -no-reboot turns into the VM's end.
_boot_disk_refused() {
	local faults0 faults rc log=/tmp/l2-refused.log
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
}

# DMAR fault records of L1's device BDF in L1's kernel log.
_boot_nvme_faults() {
	dmesg | grep -c "DMAR: .*Request device \[${1#0000:}\]"
}

# L2, booted from the disk: it came from syslinux's command line, and its
# disk works through Linux's virtio_iommu (driven by vhost-iommu in L1).
on_l2() {
	local dev=/dev/nvme0n1 fw=bios
	[ ! -d /sys/firmware/efi ] || fw=uefi
	fact boot_firmware $fw
	check "L2's command line is the boot disk's syslinux.cfg, from syslinux ($(cat /proc/cmdline))" \
		eval 'grep -q "BOOT_IMAGE=/vmlinuz .*rig_test=l2_boot_disk" /proc/cmdline'
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
