#!/bin/sh
# Full chain, robustness: L2 (patched QEMU, virtio-iommu-pci,vhost=on, the NVMe
# assigned) is paused and resumed from QEMU's monitor in the middle of its
# I/O (the backend stops and starts again; its requests must go on), then
# killed with SIGKILL.  Then in L1: the vhost-iommu device and its pins are
# gone, the kernel logged no WARN, and the NVMe can be assigned again to a new
# L2 that passes the full-chain disk test.
. /tests/lib.sh

DBG=/sys/kernel/debug
chain_assign 1b36:0010 "NVMe controller" || exit 1
bdf=$chain_bdf
check "KVM in L1" eval 'modprobe kvm_amd && [ -c /dev/kvm ]' || exit 1

initrd=/tmp/l2-initrd.cpio
[ -f $initrd ] || cat /rig/l2/base.cpio /rig/l2/payload.cpio >$initrd
# vstat NAME: a counter of the (only) vhost-iommu device, empty if none
vstat() { sed -n "s/^$1 //p" $DBG/vhost-iommu/*/stats 2>/dev/null | head -n1; }

# The monitor, through two FIFOs (chardev pipe): commands in, replies out.
mkfifo /tmp/mon.in /tmp/mon.out
/usr/bin/qemu-pviommu -L /usr/share/qemu -L /usr/share/seabios \
	-accel kvm -M pc -cpu "$RIG_L2_CPU" -m 256 -nodefaults -display none \
	-serial file:/tmp/l2-kill.log -no-reboot -monitor pipe:/tmp/mon \
	-trace 'virtio_iommu_vhost_st*' -D /tmp/l2-kill.trace \
	-kernel /rig/l2/vmlinux -initrd $initrd \
	-append "console=ttyS0 loglevel=2 panic=-1 rig_level=2 rig_test=l2_chain_kill.l2 rig_timeout=100" \
	-device virtio-iommu-pci,vhost=on -device "vfio-pci,host=$bdf,rombar=0" \
	</dev/null >/tmp/l2-kill.qemu 2>&1 &
qpid=$!
cat /tmp/mon.out >/tmp/mon.log &
# monitor CMD: one monitor command
monitor() { echo "$1" >/tmp/mon.in; }

# Wait until L2 is in its I/O loop and the kernel has handled many MAPs.
i=0
while [ $i -lt 900 ]; do
	grep -q 'IO-LOOP' /tmp/l2-kill.log 2>/dev/null &&
		[ "$(vstat requests.map)" -ge 2000 ] 2>/dev/null && break
	kill -0 $qpid 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
maps=$(vstat requests.map)
pinned=$(vstat pinned_pages)
lck=$(sed -n 's/^VmLck:[[:space:]]*//p' /proc/$qpid/status 2>/dev/null)
check "L2 is in mid-I/O: ${maps:-0} MAPs handled, ${pinned:-0} pages pinned, QEMU VmLck ${lck:-?}" \
	[ "${maps:-0}" -ge 2000 ]

# Paused, the VM makes no request; resumed, its I/O goes on through the
# backend (which stopped and started again: a kick it missed would stall it).
monitor stop
sleep 1
m0=$(vstat requests.map)
sleep 2
m1=$(vstat requests.map)
check "paused from the monitor: no request handled in 2 s ($m0 -> $m1 MAPs)" \
	eval '[ -n "$m0" ] && [ "$m0" = "$m1" ]'
monitor cont
i=0
while [ "$(vstat requests.map)" -lt $((m1 + 1000)) ] 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "resumed: the I/O goes on through vhost-iommu ($m1 -> $(vstat requests.map) MAPs)" \
	[ "$(vstat requests.map)" -ge $((m1 + 1000)) ]
check "QEMU stopped the backend and started it again (trace: $(grep -c '^virtio_iommu_vhost_stop' /tmp/l2-kill.trace) stop, $(grep -c '^virtio_iommu_vhost_start' /tmp/l2-kill.trace) starts)" \
	eval '[ "$(grep -c "^virtio_iommu_vhost_stop" /tmp/l2-kill.trace)" = 1 ] &&
	      [ "$(grep -c "^virtio_iommu_vhost_start" /tmp/l2-kill.trace)" = 2 ]'
check "SIGKILL to L2's QEMU (pid $qpid)" kill -KILL $qpid
wait $qpid 2>/dev/null
i=0
while [ -n "$(ls $DBG/vhost-iommu 2>/dev/null)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "vhost-iommu debugfs: no device left (nothing pinned)" \
	[ -z "$(ls $DBG/vhost-iommu 2>/dev/null)" ]
check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
tr -d '\r' </tmp/l2-kill.log | tail -n 5 | while IFS= read -r l; do diag "killed L2| $l"; done

# The device is assignable again: a new L2 runs the full-chain disk test.
L2_QEMU=/usr/bin/qemu-pviommu l2_run l2_chain_vhost.l2 \
	-L /usr/share/qemu -L /usr/share/seabios \
	-device virtio-iommu-pci,vhost=on -device "vfio-pci,host=$bdf,rombar=0"
check "no vhost-iommu device left after the second L2" \
	[ -z "$(ls $DBG/vhost-iommu 2>/dev/null)" ]
check "no WARN or BUG in L1's kernel log at the end" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
