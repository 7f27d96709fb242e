#!/usr/bin/env bash
# bench/run.sh: the comparison (docs/bench.md).  make bench runs it.
#
#   bench/run.sh [--l1 emulated|native] [--device BDF] [--rounds N]
#                [--seconds S] [--dma-count N] [--tiny] [--dry-run] [--out DIR]
#
# Five configurations on one passthrough NVMe and one guest kernel, A/B
# interleaved: (a) no vIOMMU, (b) intel-iommu caching-mode=on (TLBI
# trapping), (c) virtio-iommu vhost=off + pviommu.ko, (d) virtio-iommu
# vhost=on + pviommu.ko, (e) the same with the kernel's fast path
# (prepin=on,poll-us=50); strict and lazy rows; host CPU per operation; the
# L1 floor.  Results: bench/results/<timestamp>/ (results.md, results.json,
# raw.jsonl, PNGs).
#
#   --l1 emulated  (default) the emulated host: the rig's L1 under TCG, its
#                  L0-emulated NVMe; L2 under nested KVM
#   --l1 native    this machine is the host: KVM, a real NVMe (--device,
#                  required), our modules loaded here, L2 booted here
#   --device BDF   the NVMe to assign, e.g. 0000:3b:00.0 (native; emulated:
#                  the rig's NVMe)
#   --rounds N     rounds (default 3), --seconds S per I/O workload (default
#                  5), --dma-count N map+unmap pairs (default 2000); the
#                  defaults live in tests/scenarios/l2_bench_compare.sh
#   --tiny         1 round, 0.5 s, 300 pairs, a short floor: proves the
#                  harness works (make check runs it as l2_bench_compare:tiny)
#   --dry-run      print what each boot would run, touch nothing
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$repo/build}
l1=emulated device='' dry_run=0 out='' knobs=()

die() { echo "bench: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--l1) l1=${2:?}; shift ;;
	--device) device=${2:?}; knobs+=(RIG_BENCH_DEVICE="$2"); shift ;;
	--rounds) knobs+=(RIG_BENCH_ROUNDS="${2:?}"); shift ;;
	--seconds) knobs+=(RIG_BENCH_SECONDS="${2:?}"); shift ;;
	--dma-count) knobs+=(RIG_BENCH_DMA_COUNT="${2:?}"); shift ;;
	--tiny) knobs+=(RIG_BENCH_TINY=1) ;;
	--dry-run) dry_run=1 knobs+=(RIG_BENCH_DRY_RUN=1) ;;
	--out) out=${2:?}; shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (--help)" ;;
	esac
	shift
done
case $l1 in emulated | native) ;; *) die "--l1 is emulated or native, not '$l1'" ;; esac
[ "$l1" = emulated ] || [ -n "$device" ] || die "--l1 native needs --device BDF"
out=${out:-$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}


if [ "$l1" = emulated ]; then
	# Knobs travel on L1's kernel command line as rig_bench_*=.
	append=$(for k in "${knobs[@]}"; do
		n=${k%%=*}
		printf '%s=%s ' "$(echo "$n" | tr A-Z a-z)" "${k#*=}"
	done)
	# 15 boots of about a minute each at the defaults, plus the floor.
	BENCH_OUT=$out "$repo/tests/rig/run" --timeout "${BENCH_TIMEOUT:-2400}" \
		${append:+--append "$append"} l2_bench_compare
	echo "bench: results in $out"
	exit 0
fi

# --l1 native: this machine is the host, on one of build/kernel.mk's
# KERNELS.  The guest is the rig's L2 on the kernel l2_bench_compare declares
# (its kernel and initramfs, built by the rig), run by the patched QEMU.
kmk() { sed -n "s/^$1 *:= *//p" "$BUILD/kernel.mk" 2>/dev/null; }
# shellcheck source=../tests/rig/scenarios
. "$repo/tests/rig/scenarios"
scenario_load l2_bench_compare >/dev/null || die "cannot read tests/scenarios/l2_bench_compare.sh"
l2series=$SCENARIO_L2_KERNEL
[ "$l2series" != same ] || l2series=$(kmk KDEFAULT)
rigout=$BUILD/rig/$(kmk "KABI_$l2series")
stage=$BUILD/bench/native
if [ $dry_run = 0 ]; then
	[ "$(id -u)" = 0 ] || die "--l1 native runs as root (VFIO, modules)"
	series=
	for k in $(kmk KERNELS); do [ "$(kmk "KABI_$k")" != "$(uname -r)" ] || series=$k; done
	[ -n "$series" ] ||
		die "this host runs kernel $(uname -r), the modules are built for: $(kmk KERNELS) (make deps; make modules)"
	[ -c /dev/kvm ] || die "no /dev/kvm on this host"
	[ -e "/sys/bus/pci/devices/$device" ] || die "no PCI device $device"
	for f in vmlinux base.cpio payload.cpio; do
		[ -f "$rigout/$f" ] || die "$rigout/$f is missing: run tests/rig/build-images with RIG_KERNEL=$l2series"
	done
	[ -x "$BUILD/qemu/current/qemu-system-x86_64" ] || die "the patched QEMU is missing: make qemu"
	mkdir -p "$stage/l2"
	for f in vmlinux base.cpio payload.cpio; do ln -sf "$rigout/$f" "$stage/l2/$f"; done
	rm -f /tmp/l2-initrd.cpio
	for m in pviommu_proto vhost_iommu; do
		grep -q "^$m " /proc/modules || insmod "$BUILD/modules/$series/$m.ko"
	done
fi
mkdir -p "$out" "$stage"
ln -sf "$repo/tests/rig/tap.sh" "$stage/tap.sh"
rm -rf "$stage/tap"
log=$out/console.log
env "${knobs[@]}" RIG_BENCH_FLOOR=0 RIG_BENCH_QEMU="$BUILD/qemu/current/qemu-system-x86_64" \
	RIG_ROOT="$stage" RIG_SCENARIO_DIR="$repo/tests/scenarios" RIG_L2_CPU=host RIG_L2_TIMEOUT=600 \
	TAP_STATE="$stage/tap" TAP_MARK='' PATH="$PATH:$BUILD/vm-bin" \
	sh -c '. "$RIG_SCENARIO_DIR/lib/lib.sh"; . "$RIG_SCENARIO_DIR/l2_bench_compare.sh"; on_l1' | tee "$log"
if grep -q '^not ok' "$log"; then
	echo "bench: FAILED (see $log)" >&2
	exit 1
fi
[ $dry_run = 1 ] && exit 0
python3 "$repo/bench/report.py" --native "$log" "$out"
echo "bench: results in $out"
