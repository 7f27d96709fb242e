#!/bin/sh
# L1: proto/'s shared logic inside the kernel.  pviommu_proto.ko is the same
# source as libpviommu.a; pviommu_proto_test.ko runs the spec's seven UNMAP
# examples against it and refuses to load if one fails.
#
#: level 1
# One vCPU: it needs no second, and make check boots it first, where L1
# with two died twice of the stale int3 (tests/rig/README.md, sixth shape).
#: smp 1

on_l1() {
	check "pviommu_proto.ko loads" modprobe pviommu_proto || exit 1
	dmesg -c >/dev/null
	if modprobe pviommu_proto_test; then loaded=1; else loaded=0; fi
	# The module's own TAP, from the kernel log.
	dmesg | sed -n 's/^.*pviommu_proto_test: //p' |
		tap_import "kernel: "
	check "pviommu_proto_test.ko loaded (all in-kernel tests passed)" [ "$loaded" = 1 ]
	check "pviommu_proto_test.ko unloads" rmmod pviommu_proto_test
	check "pviommu_proto.ko unloads" rmmod pviommu_proto
}
