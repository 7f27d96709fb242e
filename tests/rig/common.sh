# Shared by the host-side rig scripts (build-images, run); bash only, sourced.
#
# Sets REPO, BUILD, KROOT (unpacked kernel tree), KREL (its release, i.e. the
# lib/modules directory name), KIMAGE (its boot image), KMODS (the project's
# modules for it), RIGOUT (the image cache for that kernel) and defines small
# helpers.

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$RIG_DIR/../.." && pwd)
BUILD=$(realpath -m "${BUILD:-$REPO/build}")

rig_log() { printf 'rig: %s\n' "$*" >&2; }
rig_die() { printf 'rig: error: %s\n' "$*" >&2; exit 2; }

# The value of a "NAME := value" line of build/kernel.mk (written by scripts/deps.sh).
kernel_mk() {
	[ -f "$BUILD/kernel.mk" ] || rig_die "$BUILD/kernel.mk is missing: run scripts/deps.sh"
	sed -n "s/^$1 *:= *//p" "$BUILD/kernel.mk"
}

# The kernel: RIG_KERNEL names one of build/kernel.mk's KERNELS (a series
# such as 6.12 or 6.1; default KDEFAULT), whose Debian image is unpacked there;
# or RIG_KERNEL_ROOT is a tree laid out the same way (boot/vmlinu[xz]-REL and
# lib/modules/REL), e.g. a debug build installed with INSTALL_PATH/INSTALL_MOD_PATH.
# KMODS is where the project's modules for it are (RIG_EXTRA_MODULES).
if [ -n "${RIG_KERNEL_ROOT:-}" ]; then
	KROOT=$(realpath -m "$RIG_KERNEL_ROOT")
	krels=("$KROOT"/lib/modules/*/)
	[ ${#krels[@]} -eq 1 ] && [ -d "${krels[0]}" ] ||
		rig_die "$KROOT/lib/modules must hold exactly one kernel release"
	KREL=$(basename "${krels[0]}")
	KMODS=${RIG_EXTRA_MODULES:-}
else
	: "${RIG_KERNEL:=$(kernel_mk KDEFAULT)}"
	case " $(kernel_mk KERNELS) " in
	*" $RIG_KERNEL "*) ;;
	*) rig_die "kernel '$RIG_KERNEL' is not one of build/kernel.mk's: $(kernel_mk KERNELS)" ;;
	esac
	KROOT=$(realpath -m "$(kernel_mk "KIMAGE_ROOT_$RIG_KERNEL")")
	KREL=$(kernel_mk "KABI_$RIG_KERNEL")
	KMODS=${RIG_EXTRA_MODULES:-$BUILD/modules/$RIG_KERNEL}
fi
[ -n "$KREL" ] && [ -d "$KROOT/lib/modules/$KREL" ] ||
	rig_die "no modules for '$KREL' under $KROOT: run scripts/deps.sh"
# An ELF vmlinux boots directly (PVH); a bzImage needs extracting first.
if [ -f "$KROOT/boot/vmlinux-$KREL" ]; then
	KIMAGE=$KROOT/boot/vmlinux-$KREL
else
	KIMAGE=$KROOT/boot/vmlinuz-$KREL
fi
[ -f "$KIMAGE" ] || rig_die "no kernel image $KIMAGE"
RIGOUT=$BUILD/rig/$KREL

# A hash of the names, sizes and mtimes of every file under the given paths
# (missing paths count too), plus any literal strings given after "--".
inputs_key() {
	local p
	{
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			if [ -e "$1" ]; then
				find -L "$1" -type f -printf '%p %s %T@\n' | sort
			else
				echo "missing $1"
			fi
			shift
		done
		[ $# -gt 0 ] && shift
		for p; do echo "arg $p"; done
	} | md5sum | cut -d' ' -f1
}

# fresh OUT KEY: OUT exists and was last built from inputs with this KEY.
fresh() { [ -e "$1" ] && [ "$(cat "$1.key" 2>/dev/null)" = "$2" ]; }
# built OUT KEY: record that OUT is now built from KEY.
built() { echo "$2" >"$1.key"; }

# Serialise rig users: two QEMU rigs on 2 cores make both too slow, and two
# builds would race on the same files.  The lock is held until this process
# and its children (QEMU) exit; children that are rig scripts inherit it.  It
# is one lock for the machine (RIG_LOCK), whatever the checkout or BUILD.
rig_lock() {
	[ -z "${RIG_LOCKED:-}" ] || return 0
	exec 9>"${RIG_LOCK:-/tmp/pviommu-rig.lock}"
	flock -n 9 || { rig_log "waiting for another rig run to finish"; flock 9; }
	export RIG_LOCKED=1
}
