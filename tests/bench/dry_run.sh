#!/usr/bin/env bash
# The --l1 native code path of bench/run.sh, dry: the plan it prints for a
# real host must boot each configuration with the right QEMU devices and
# guest command line, on the given device, in rotating order; bad input is
# refused.  Nothing is booted or bound.  TAP on stdout.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
export TAP_STATE=$(mktemp -d) TAP_MARK=
trap 'rm -rf "$TAP_STATE"' EXIT
# shellcheck source=../rig/tap.sh
. "$repo/tests/rig/tap.sh"

bdf=0000:3b:00.0
plan=$("$repo/bench/run.sh" --l1 native --device $bdf --rounds 2 --seconds 7 --dry-run \
	--out "$TAP_STATE/out" 2>&1)
check "native dry run exits 0" [ $? -eq 0 ]
lines=$(echo "$plan" | grep '^BENCH:PLAN ')
check "10 boots planned (2 rounds x 5 configurations)" [ "$(echo "$lines" | wc -l)" -eq 10 ]
# plan_of ROUND CONFIG: that boot's plan line.
plan_of() { echo "$lines" | grep "round=$1 config=$2 "; }
for c in none vtd pv-user pv-kernel pv-kernel-fast; do
	check "$c: planned in both rounds" eval '[ -n "$(plan_of 0 $c)" ] && [ -n "$(plan_of 1 $c)" ]'
	check "$c: assigns $bdf with vfio-pci" eval 'plan_of 0 $c | grep -q -- "-device vfio-pci,host=$bdf,rombar=0"'
	check "$c: the workloads run 7 s" eval 'plan_of 0 $c | grep -q "rig_bench_seconds=7"'
done
check "none: no vIOMMU device, no IOMMU modes" \
	eval '! plan_of 0 none | grep -qE "intel-iommu|virtio-iommu" && plan_of 0 none | grep -q "rig_bench_modes=- "'
check "vtd: intel-iommu with caching-mode=on, guest intel_iommu=on, strict first" \
	eval 'plan_of 0 vtd | grep -q -- "-device intel-iommu,caching-mode=on" &&
	      plan_of 0 vtd | grep -q "intel_iommu=on iommu.strict=1" &&
	      plan_of 0 vtd | grep -q "rig_bench_modes=strict,lazy"'
check "pv-user: virtio-iommu-pci,vhost=off, pviommu.ko in the guest" \
	eval 'plan_of 0 pv-user | grep -q -- "-device virtio-iommu-pci,vhost=off" &&
	      plan_of 0 pv-user | grep -q "rig_bench_config=pv "'
check "pv-kernel: virtio-iommu-pci,vhost=on, no fast path, pviommu.ko in the guest" \
	eval 'plan_of 0 pv-kernel | grep -q -- "-device virtio-iommu-pci,vhost=on " &&
	      plan_of 0 pv-kernel | grep -q "rig_bench_config=pv "'
check "pv-kernel-fast: virtio-iommu-pci,vhost=on,prepin=on,poll-us=50, pviommu.ko in the guest" \
	eval 'plan_of 0 pv-kernel-fast | grep -q -- "-device virtio-iommu-pci,vhost=on,prepin=on,poll-us=50 " &&
	      plan_of 0 pv-kernel-fast | grep -q "rig_bench_config=pv "'
check "every boot traces what tells the configurations apart" \
	eval '[ "$(echo "$lines" | grep -c -- "-trace vtd_inv_desc_iotlb_pages -trace vtd_inv_desc_iotlb_domain")" -eq 10 ] &&
	      [ "$(echo "$lines" | grep -c -- "-trace virtio_iommu_vhost_options")" -eq 10 ]'
order() { echo "$lines" | sed -n "s/^BENCH:PLAN round=$1 config=\([^ ]*\) .*/\1/p" | tr '\n' ' '; }
check "the order rotates between rounds ($(order 0)/ $(order 1))" [ "$(order 0)" != "$(order 1)" ]

"$repo/bench/run.sh" --l1 native --dry-run >/dev/null 2>&1
check "--l1 native without --device is refused" [ $? -eq 2 ]
out=$("$repo/bench/run.sh" --l1 native --device 3b:00.0 --dry-run --out "$TAP_STATE/out" 2>&1)
check "a device that is not a full PCI address is refused" \
	eval '[ $? -ne 0 ] || echo "$out" | grep -q "^not ok.*full PCI address"'
"$repo/bench/run.sh" --l1 bare --dry-run >/dev/null 2>&1
check "an unknown --l1 is refused" [ $? -eq 2 ]
tap_plan_end
tap_failed && exit 1
exit 0
