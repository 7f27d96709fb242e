# shellcheck shell=dash
# The full chain, in pieces that scenarios put together (sourced by lib.sh in
# the VMs, and by the rig runner on the host for chain_host):
#
#   chain_l1 VHOST SCENARIO [edu]   L1: the L0-emulated NVMe (and edu) to
#       vfio-pci and to an L2 under the patched QEMU (vmm/qemu,
#       /usr/bin/qemu-pviommu) behind -device virtio-iommu-pci,vhost=VHOST;
#       L2 runs SCENARIO's on_l2.  QEMU traces virtio_iommu_* to a file and
#       vhost-iommu's counters are sampled, so that this side can tell which
#       backend handled the requests.  L2_MEM and L2_APPEND set the
#       guest's memory and command line (see l2_run).  With
#       RIG_CHAIN_PORTS=1, L2 is a q35 machine with each assigned device
#       behind a pcie-root-port of its own, libvirt's layout (=bridge: the
#       NVMe behind a pcie-pci-bridge on a root port): then QEMU
#       declares the devices without an endpoint ID, and each must end with
#       the requester ID that L2 sees, and ATTACHes under it.
#   chain_l2 [DRIVER]   L2: DRIVER (default pviommu; e.g. Linux's own
#       virtio_iommu) drives the virtio-iommu, then nvme binds behind it.  An
#       ext4 filesystem in the first 8 MiB must survive a remount and an
#       fsck (e2fsprogs, /usr/libexec/rig); the
#       CHAIN_SIZE_MIB written with O_DIRECT at CHAIN_OFFSET_MIB must read
#       back (nvme_write_check), and chain_host finds them in the disk image.
#   chain_host          host, after L0 QEMU exited: the disk image holds what
#       L2 wrote, with the checksum L2 reported.

# The region L2 writes through the whole chain and the host reads back (a
# scenario may set a larger CHAIN_SIZE_MIB: the rig's disk is 64 MiB).
CHAIN_OFFSET_MIB=16
: "${CHAIN_SIZE_MIB:=8}"
# e2fsprogs in the rig's images.
E2FS=/usr/libexec/rig

# chain_assign VENDOR:DEVICE NAME: find the L0-emulated device (its address
# in $chain_bdf), check that the image carries the patched QEMU, bind the
# device to vfio-pci, mount debugfs and load vhost_iommu.  Non-zero after a
# failed test point.
chain_assign() {
	chain_bdf=$(pci_find "$1")
	check "$2 found (at ${chain_bdf:-nowhere})" [ -n "$chain_bdf" ] || return 1
	check "the image carries the patched QEMU /usr/bin/qemu-pviommu" \
		[ -x /usr/bin/qemu-pviommu ] || return 1
	check "$2 $chain_bdf bound to vfio-pci" vfio_bind "$chain_bdf" || return 1
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	check "modprobe vhost_iommu" modprobe vhost_iommu
}

# _chain_tcount EVENT: how many times L2's QEMU traced EVENT.
_chain_tcount() { grep -c "^$1 " /tmp/l2-qemu-trace.log 2>/dev/null; }
# _chain_vstat NAME: the last sampled vhost-iommu counter NAME.
_chain_vstat() { sed -n "s/^$1 //p" /tmp/vhost-iommu-stats 2>/dev/null; }

chain_l1() {
	local vhost=$1 scenario=$2 bdf edu edu_dev= sampler ports= nvme_bus= edu_bus=
	chain_assign 1b36:0010 "NVMe controller" || exit 1
	bdf=$chain_bdf
	case ${RIG_CHAIN_PORTS:-0} in
	1)
		L2_MACHINE=q35
		ports="-device pcie-root-port,id=rp1,chassis=1 -device pcie-root-port,id=rp2,chassis=2"
		nvme_bus=,bus=rp1 edu_bus=,bus=rp2
		;;
	bridge)
		# A conventional PCI bus below a root port: the NVMe's DMA carries
		# the bridge's requester ID.
		L2_MACHINE=q35
		ports="-device pcie-root-port,id=rp1,chassis=1 -device pcie-pci-bridge,id=br1,bus=rp1"
		nvme_bus=,bus=br1,addr=1
		;;
	esac
	if [ "${3:-}" = edu ]; then
		edu=$(pci_find 1234:11e8)
		check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
		edu_dev="-device vfio-pci,host=$edu,rombar=0$edu_bus"
	fi

	vhost_stats_sampler /tmp/vhost-iommu-stats &
	sampler=$!
	# shellcheck disable=SC2086 # ports and edu_dev are words or none
	L2_QEMU=/usr/bin/qemu-pviommu L2_MACHINE=${L2_MACHINE:-pc} l2_run "$scenario" \
		-L /usr/share/qemu -L /usr/share/seabios \
		-device "virtio-iommu-pci,vhost=$vhost" $ports \
		-device "vfio-pci,host=$bdf,rombar=0$nvme_bus" $edu_dev \
		-trace 'virtio_iommu_*' -D /tmp/l2-qemu-trace.log
	kill $sampler 2>/dev/null
	wait $sampler 2>/dev/null
	[ -z "$ports" ] || _chain_l1_ports "$scenario"

	diag "QEMU trace: $(_chain_tcount virtio_iommu_attach) attach, $(_chain_tcount virtio_iommu_map) map, $(_chain_tcount virtio_iommu_unmap) unmap, $(_chain_tcount virtio_iommu_vhost_start) vhost start"
	fact qemu_trace_map "$(_chain_tcount virtio_iommu_map)"
	fact qemu_trace_unmap "$(_chain_tcount virtio_iommu_unmap)"
	fact qemu_trace_attach "$(_chain_tcount virtio_iommu_attach)"
	if [ "$vhost" = on ]; then
		_chain_l1_kernel_did_it
	else
		check "QEMU's userspace handler did the MAPs ($(_chain_tcount virtio_iommu_map))" \
			[ "$(_chain_tcount virtio_iommu_map)" -ge 100 ]
		check "no vhost-iommu device was used" [ ! -s /tmp/vhost-iommu-stats ]
	fi
	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

# With vhost=on: QEMU handed the endpoint to vhost-iommu, the kernel handled
# the requests and QEMU's userspace handler none, and the device went with L2.
_chain_l1_kernel_did_it() {
	local t l
	check "QEMU declared the NVMe as a vhost-iommu endpoint (trace)" \
		[ "$(_chain_tcount virtio_iommu_vhost_add_endpoint)" -ge 1 ]
	check "QEMU started the vhost backend (trace)" \
		[ "$(_chain_tcount virtio_iommu_vhost_start)" -ge 1 ]
	check "vhost-iommu counters were sampled while L2 ran" [ -s /tmp/vhost-iommu-stats ]
	while IFS= read -r l; do diag "vhost-iommu: $l"; done </tmp/vhost-iommu-stats
	for t in attach map unmap probe; do
		fact "vhost_$t" "$(_chain_vstat requests.$t)"
	done
	fact vhost_status_ok "$(_chain_vstat status.ok)"
	check "the kernel handled ATTACH requests ($(_chain_vstat requests.attach))" \
		[ "$(_chain_vstat requests.attach)" -ge 1 ]
	check "the kernel handled MAP requests ($(_chain_vstat requests.map))" \
		[ "$(_chain_vstat requests.map)" -ge 100 ]
	check "the kernel handled UNMAP requests ($(_chain_vstat requests.unmap))" \
		[ "$(_chain_vstat requests.unmap)" -ge 100 ]
	check "QEMU's userspace handler saw no ATTACH/MAP/UNMAP (trace: $(_chain_tcount virtio_iommu_attach)/$(_chain_tcount virtio_iommu_map)/$(_chain_tcount virtio_iommu_unmap))" \
		[ "$(_chain_tcount virtio_iommu_attach)$(_chain_tcount virtio_iommu_map)$(_chain_tcount virtio_iommu_unmap)" = 000 ]
	check "no vhost-iommu device left after L2 exited" \
		[ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]
}

# Behind root ports: QEMU declared every assigned device without an ID (its
# bus was not numbered yet), then gave it the ID firmware's numbering made,
# and the kernel's endpoints are exactly the requester IDs that L2 reported
# (chain_l2's RIG:FACT l2_rids), each attached by L2's driver under it.
_chain_l1_ports() {
	local want got l
	check "QEMU declared the devices behind the root ports without an endpoint ID (trace)" \
		[ "$(grep -c '^virtio_iommu_vhost_add_endpoint endpoint 0xffffffff ' /tmp/l2-qemu-trace.log)" -ge 1 ]
	grep '^virtio_iommu_vhost_endpoint_id ' /tmp/l2-qemu-trace.log | while IFS= read -r l; do diag "QEMU: $l"; done
	while IFS= read -r l; do diag "vhost-iommu endpoint: $l"; done </tmp/vhost-iommu-stats.endpoints
	want=$(sed -n 's/^RIG:FACT l2_rids=//p' /tmp/l2-"$1"-*.log | tail -n 1 | tr ' ' '\n' | sort | xargs)
	got=$(awk '{ print $1 }' /tmp/vhost-iommu-stats.endpoints | sort | xargs)
	check "the kernel's endpoint IDs ($got) are the requester IDs L2 sees (${want:-none})" \
		eval '[ -n "$want" ] && [ "$got" = "$want" ]'
	check "L2's driver attached every endpoint under that ID" \
		awk '$1 == "none" || $7 + 0 < 1 { bad = 1 } END { exit bad || !NR }' /tmp/vhost-iommu-stats.endpoints
}

chain_l2() {
	local drv=${1:-pviommu} dev=/dev/nvme0n1 vdev nvme fwant fgot
	# 1 KiB blocks: the filesystem stays below CHAIN_OFFSET_MIB.
	local fs_blocks=8192

	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	check "modprobe $drv (before the endpoint drivers)" modprobe "$drv" || exit 1
	check "modprobe virtio_pci" modprobe virtio_pci
	vdev=$(basename "$(ls -d /sys/bus/virtio/drivers/$drv/virtio* 2>/dev/null | head -n1)")
	check "$drv drives the virtio-iommu device (${vdev:-none})" [ -n "$vdev" ] || exit 1
	nvme=$(pci_find 1b36:0010)
	# The requester IDs of the assigned devices, as this guest numbered them.
	fact l2_rids "$(for d in $nvme $(pci_find 1234:11e8); do pci_dma_rid "$d"; done | xargs)"

	check "modprobe nvme" modprobe nvme
	nvme_wait $dev || exit 1
	# (With ACPI VIOT in the kernel, Linux's driver gives a device its group when
	# a driver binds it; pviommu.ko gives it one when it probes the topology.)
	check "the assigned NVMe ($nvme) is in an IOMMU group" \
		[ -e "/sys/bus/pci/devices/${nvme:-none}/iommu_group" ] || exit 1
	nvme_is_rig_disk || exit 1

	# A filesystem that survives a remount and a full check.
	modprobe ext4 2>/dev/null
	mkdir -p /mnt
	check "mkfs.ext4 on $dev ($fs_blocks KiB)" \
		sh -c "$E2FS/mke2fs -q -F -t ext4 -b 1024 $dev $fs_blocks >/tmp/mkfs.log 2>&1"
	if check "mount it (ext4)" mount -t ext4 $dev /mnt; then
		head -c $((4 << 20)) /dev/urandom >/tmp/file
		fwant=$(md5sum </tmp/file | cut -d' ' -f1)
		cp /tmp/file /mnt/file && sync
		check "unmount" umount /mnt
		check "e2fsck -f finds the filesystem clean" \
			sh -c "$E2FS/e2fsck -f -n $dev >/tmp/fsck.log 2>&1" ||
			tail -n 5 /tmp/fsck.log | while IFS= read -r l; do diag "fsck: $l"; done
		echo 3 >/proc/sys/vm/drop_caches
		check "mount again" mount -t ext4 $dev /mnt
		fgot=$(md5sum </mnt/file 2>/dev/null | cut -d' ' -f1)
		check "the 4 MiB file survived the remount (md5 $fgot)" [ "$fgot" = "$fwant" ]
		umount /mnt
	fi

	nvme_write_check $dev $CHAIN_OFFSET_MIB $CHAIN_SIZE_MIB
	fact nvme_mib "$CHAIN_SIZE_MIB"

	if [ -f /sys/kernel/debug/pviommu/stats ]; then
		diag "pviommu: $(tr '\n' ' ' </sys/kernel/debug/pviommu/stats)"
	fi
	check "no WARN or BUG in L2's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

chain_host() {
	local want got
	want=$(sed -n 's/^nvme_md5=//p' "$RIG_FACTS")
	check "L2 reported the md5 of what it wrote (${want:-none})" [ -n "$want" ]
	got=$(dd if="$RIG_DISK" bs=1M skip=$CHAIN_OFFSET_MIB count=$CHAIN_SIZE_MIB 2>/dev/null | md5sum | cut -d' ' -f1)
	check "disk image holds it: md5 $got at $CHAIN_OFFSET_MIB MiB" [ "$got" = "$want" ]
}
