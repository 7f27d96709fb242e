#!/bin/sh
# L1: adversarial tests of vhost_iommu.ko, each bounded and with counts.
#   fuzz      vhost_ioctl_fuzz: random ioctls on /dev/vhost-iommu and VFIO
#             containers, wrong orders, bad/closed fds, fds closed by a second
#             thread while MAP requests are in flight
#   stress    vhost_model_stress: random MAP/UNMAP/ATTACH/DETACH through the
#             virtqueue against a shadow model on proto/'s mapping table, with
#             edu DMA samples
#   failslab  the same stress with slab allocation failures injected into the
#             harness task (debug kernel only: Debian's has no failslab)
#   default   Debian's kernel, the full counts (make stress-full raises them)
#   quick     Debian's kernel, fewer iterations, no failslab (make check)
#   debug     the debug kernel (make check-debug): fails on any detector
#             report and on leaks
#
# Knobs: rig_parts=fuzz,stress,failslab (default all), rig_fuzz_calls=N
# (100000), rig_stress_ops=N (200000), rig_failslab_ops=N (20000),
# rig_failslab_probability=P (percent, 5), rig_seed=S.
#
#: level 1
#: timeout 1600
#: quick.timeout 300
#: quick.append rig_fuzz_calls=50000 rig_stress_ops=200000 rig_parts=fuzz,stress
#: debug.kernel debug

# adversarial_part NAME WHAT PROGRAM [ARGS...]: PROGRAM's TAP as "NAME: ...",
# its time as the fact NAME_s, then a kmemleak scan after WHAT.
adversarial_part() {
	local name=$1 what=$2 t0
	shift 2
	t0=$(uptime_s)
	"$@" | tap_import "$name: "
	fact "${name}_s" "$(since "$t0")"
	debug_leaks "$what"
}

on_l1() {
	parts=",${RIG_PARTS:-fuzz,stress,failslab},"
	seed=${RIG_SEED:-$(date +%s)}
	debug_begin
	bdf=$(pci_find 1234:11e8)
	check "edu found (at ${bdf:-nowhere})" [ -n "$bdf" ] || exit 1
	check "edu $bdf bound to vfio-pci" vfio_bind "$bdf" || exit 1
	check "modprobe vhost_iommu" modprobe vhost_iommu || exit 1
	diag "seed $seed (rig_seed=$seed repeats this run)"

	case $parts in *,fuzz,*)
		fact fuzz_calls "${RIG_FUZZ_CALLS:-100000}"
		adversarial_part fuzz "the ioctl fuzzer" \
			vhost_ioctl_fuzz "$bdf" --calls "${RIG_FUZZ_CALLS:-100000}" --seed "$seed"
		;;
	esac
	case $parts in *,stress,*)
		fact stress_ops "${RIG_STRESS_OPS:-200000}"
		adversarial_part stress "the model-checked stress" \
			vhost_model_stress "$bdf" --ops "${RIG_STRESS_OPS:-200000}" --seed "$seed"
		;;
	esac

	F=/sys/kernel/debug/failslab
	case $parts in *,failslab,*)
		if [ -d $F ]; then
			# Only tasks with make-it-fail (the harness, once set up), any
			# slab size, GFP_KERNEL too, no log spam (a forced failure's
			# stack trace would look like a kernel report).
			echo 1 >$F/task-filter
			echo "${RIG_FAILSLAB_PROBABILITY:-5}" >$F/probability
			echo 1 >$F/interval
			echo -1 >$F/times
			echo 0 >$F/space
			echo 0 >$F/verbose
			echo N >$F/ignore-gfp-wait 2>/dev/null
			echo N >$F/cache-filter 2>/dev/null
			# The log so far is judged now, and cleared if clean: failslab's
			# own may hold the core's WARNs (debug_core_warns).
			debug_log_check "before failslab" && dmesg -c >/dev/null
			t0=$(uptime_s)
			vhost_model_stress "$bdf" --ops "${RIG_FAILSLAB_OPS:-20000}" --seed "$seed" \
				--failslab --dma-every 1000 >/tmp/failslab.tap
			tap_import "failslab: " </tmp/failslab.tap
			fact failslab_s "$(since "$t0")"
			echo 0 >$F/probability
			diag "failslab: $(cat $F/times) times left; probability ${RIG_FAILSLAB_PROBABILITY:-5}%"
			deverr=$(sed -n 's/.*statuses:.* DEVERR \([0-9]*\),.*/\1/p' /tmp/failslab.tap)
			debug_core_warns "failslab" "${deverr:-0}"
			debug_leaks "failslab"
		else
			diag "no $F on this kernel: failslab part skipped"
		fi
		;;
	esac

	check "no vhost-iommu device left in debugfs" [ -z "$(ls /sys/kernel/debug/vhost-iommu)" ]
	check "rmmod vhost_iommu pviommu_proto" rmmod vhost_iommu pviommu_proto
	debug_end
}
