#!/bin/sh
# L1: vhost_iommu.ko without a guest.  vhost_iommu_test
# (tests/programs/vhost_iommu_test.c) plays VMM and guest in one process:
# its own vrings and "guest RAM" (GPA != HVA), real ioctls and eventfds, and
# QEMU's edu device in a VFIO container of the pviommu type as the endpoint.
# Its suites: conformance, DMA truth, the fast path (pre-pinned RAM,
# batched unmaps, large IOPTEs on hugetlb pages, busy polling), hostile,
# scale.  Then: no device left,
# the module unloads, and (lib/debug.sh) the kernel log has no detector
# report and the FOLL_PIN balance is back where it was.
#   default   the default host kernel (Debian's 6.12)
#   6.1       Debian 12's 6.1: the older host kernel
#   debug     the debug kernel (KASAN, lockdep, DEBUG_ATOMIC_SLEEP,
#             DEBUG_LIST, kmemleak: tests/rig/debug.config), 20000 live
#             mappings (KASAN makes each MAP several times slower), and a
#             kmemleak scan after the suites (module still loaded, so
#             backtraces name it) and one after rmmod
#
# Kernel command-line knobs (tests/rig/run --append):
#   rig_vhost_suites=conformance,dma,fast,hostile,scale  (default: all)
#   rig_vhost_scale=N    live mappings of the scale suite (default 100000)
#   rig_vhost_random=N   random requests of the hostile suite (default 100000)
#   rig_vhost_slab_max=N most slab bytes per pre-pinned mapping (default 72;
#                        512 on the debug kernel: KASAN's redzones, kmemleak's
#                        objects)
#
#: level 1
# A second edu: a second endpoint, for the fast suite's two domains.
#: qemu-args -device edu
#: debug.kernel debug
#: debug.timeout 900
#: debug.append rig_vhost_scale=20000 rig_vhost_slab_max=512
#: 6.1.kernel 6.1

on_l1() {
	local bdf bdf2 t0 msgs bad
	debug_begin
	bdf=$(pci_find 1234:11e8 | sed -n 1p)
	bdf2=$(pci_find 1234:11e8 | sed -n 2p)
	check "two edus found by vendor:device 1234:11e8 (at ${bdf:-nowhere} and ${bdf2:-nowhere})" \
		eval '[ -n "$bdf" ] && [ -n "$bdf2" ]' || exit 1
	for d in "$bdf" "$bdf2"; do
		check "edu $d is in an IOMMU group" [ -e "/sys/bus/pci/devices/$d/iommu_group" ] || exit 1
		check "edu $d bound to vfio-pci" vfio_bind "$d" || exit 1
	done
	check "modprobe vhost_iommu (with pviommu_proto, vhost, vfio)" modprobe vhost_iommu || {
		dmesg | tail -n 20 | while IFS= read -r l; do diag "$l"; done
		exit 1
	}
	check "/dev/vhost-iommu is there" [ -c /dev/vhost-iommu ]
	check "debugfs has /sys/kernel/debug/vhost-iommu" [ -d /sys/kernel/debug/vhost-iommu ]

	# The fast suite's hugetlb region: two 2 MiB pages.
	check "vm.nr_hugepages=4" sh -c 'echo 4 > /proc/sys/vm/nr_hugepages && [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 2 ]'
	t0=$(uptime_s)
	# shellcheck disable=SC2086 # the suites are separate words
	vhost_iommu_test "$bdf,$bdf2" $(echo "${RIG_VHOST_SUITES:-}" | tr , " ") \
		--scale "${RIG_VHOST_SCALE:-100000}" --random "${RIG_VHOST_RANDOM:-100000}" \
		--slab-max "${RIG_VHOST_SLAB_MAX:-72}" |
		tap_import "vhost_iommu_test: "
	fact vhost_iommu_test_s "$(since "$t0")"
	fact vhost_scale_n "${RIG_VHOST_SCALE:-100000}"

	# The module's own complaints (e.g. a short iommu_unmap) fail the run.
	msgs=$(dmesg | grep -i "vhost-iommu" | grep -v "^.*vq_err")
	[ -z "$msgs" ] || echo "$msgs" | while IFS= read -r l; do diag "$l"; done
	check "the module logged no error" sh -c '! dmesg | grep -qE "vhost-iommu: (unmapped|no identity)"'
	check "no vhost-iommu device left in debugfs after the harness" \
		[ -z "$(ls /sys/kernel/debug/vhost-iommu)" ]
	debug_leaks "the four suites"
	check "rmmod vhost_iommu" rmmod vhost_iommu
	check "rmmod pviommu_proto" rmmod pviommu_proto
	debug_leaks "rmmod"
	bad=$(dmesg | grep -E "$RIG_KERNEL_ERRORS")
	check "kernel log has no WARNING/BUG/Oops" [ -z "$bad" ] ||
		echo "$bad" | while IFS= read -r l; do diag "$l"; done
	debug_end
}
