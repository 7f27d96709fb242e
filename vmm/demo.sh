#!/usr/bin/env bash
# make demo: run the full chain on the emulated host and tell what happened.
#   L0 (QEMU TCG) -> L1 (Debian's default host kernel, intel-iommu,
#   vhost_iommu.ko) -> L2 (patched QEMU, virtio-iommu-pci,vhost=on;
#   pviommu.ko + nvme on the kernel l2_chain declares: Debian 12's 6.1)
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
export BUILD
TEST=l2_chain

"$TOP/tests/rig/run" $TEST
rc=$?
out=$BUILD/rig/runs/$TEST
fact() { sed -n "s/^$1=//p" "$out/facts" 2>/dev/null | tail -n1; }
kmk() { sed -n "s/^$1 *:= *//p" "$BUILD/kernel.mk" 2>/dev/null; }
l1k=$(kmk KDEFAULT)
# shellcheck source=../tests/rig/scenarios
. "$TOP/tests/rig/scenarios"
scenario_load $TEST
l2k=$SCENARIO_L2_KERNEL
[ "$l2k" != same ] || l2k=$l1k
hostmd5=$(dd if="$out/nvme.img" bs=1M skip=16 count="$(fact nvme_mib)" 2>/dev/null | md5sum | cut -d' ' -f1)

cat <<EOT

==================== pviommu demo: the full chain ====================
 L0  QEMU $(qemu-system-x86_64 --version | head -n1 | sed 's/.*version //') (TCG): q35, intel-iommu, NVMe "pviommu0" (1b36:0010)
 L1  Debian kernel $(kmk "KVER_$l1k") ($(kmk "KABI_$l1k")), vfio-pci + vhost_iommu.ko
 L2  QEMU $(cat "$BUILD/qemu/current/BUILD-INFO" 2>/dev/null | sed -n 's/^version=//p') + vmm/qemu/patches, under KVM:
       -device virtio-iommu-pci,vhost=on -device vfio-pci,host=<the NVMe>
     L2 kernel: Debian's $(kmk "KABI_$l2k") with pviommu_proto.ko + pviommu.ko, then nvme

 Requests handled in L1's kernel (vhost-iommu, last sample while L2 ran):
   ATTACH $(fact vhost_attach)   MAP $(fact vhost_map)   UNMAP $(fact vhost_unmap)   PROBE $(fact vhost_probe)   (status OK: $(fact vhost_status_ok))
 Requests seen by QEMU's userspace virtio-iommu (trace):
   ATTACH $(fact qemu_trace_attach)   MAP $(fact qemu_trace_map)   UNMAP $(fact qemu_trace_unmap)

 Data verified: $(fact nvme_mib) MiB written by L2 with O_DIRECT at 16 MiB
   md5 in L2:          $(fact nvme_md5)
   md5 in disk image:  $hostmd5
   plus a 4 MiB file on an ext4 filesystem that survived a remount and an fsck in L2
 Result: $( [ $rc -eq 0 ] && echo PASS || echo "FAIL (see $out/console.log)")
=======================================================================
EOT
exit $rc
