#!/bin/sh
# L1, debug kernel (make check-debug): the vhost-iommu suites of
# l1_vhost_iommu.sh (conformance, DMA truth, hostile, scale) under KASAN,
# lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_LIST and kmemleak (tests/rig/debug.config).
# Fails on any detector report; a kmemleak scan after the harness closed its
# devices (module still loaded, so backtraces name it) and one after rmmod.
#
# Knobs (tests/rig/run --append): rig_vhost_suites=..., rig_vhost_scale=N
# (default here 20000: KASAN makes each MAP several times slower),
# rig_vhost_random=N (default 100000).
. /tests/lib.sh
. /tests/debug_lib.sh

debug_begin
bdf=$(pci_find 1234:11e8)
check "edu found (at ${bdf:-nowhere})" [ -n "$bdf" ] || exit 1
check "edu $bdf bound to vfio-pci" vfio_bind "$bdf" || exit 1
check "modprobe vhost_iommu" modprobe vhost_iommu || {
	dmesg | tail -n 20 | while IFS= read -r l; do diag "$l"; done
	exit 1
}
t0=$(uptime_s)
# shellcheck disable=SC2086 # the suites are separate words
vhost_iommu_test "$bdf" $(echo "${RIG_VHOST_SUITES:-}" | tr , " ") \
	--scale "${RIG_VHOST_SCALE:-20000}" --random "${RIG_VHOST_RANDOM:-100000}" |
	tap_import "vhost_iommu_test: "
fact vhost_iommu_test_s "$(since "$t0")"
fact vhost_scale_n "${RIG_VHOST_SCALE:-20000}"
check "no vhost-iommu device left in debugfs" [ -z "$(ls /sys/kernel/debug/vhost-iommu)" ]
debug_leaks "the four suites"
check "rmmod vhost_iommu pviommu_proto" rmmod vhost_iommu pviommu_proto
debug_leaks "rmmod"
debug_end
