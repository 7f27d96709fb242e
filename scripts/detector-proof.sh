#!/usr/bin/env bash
# Prove that the debug flavour's detector checks go red: build a scratch copy
# of vhost_iommu.ko with two deliberate bugs in vhost_iommu_open() - a leaked
# kmalloc(96) and a read of a kfree()d kmalloc(32) - against the debug
# kernel, run l1_vhost_iommu:debug (conformance suite only) with it, and expect the
# run to FAIL on the KASAN report and on the kmemleak check.  The repository's
# sources are not touched (the copy is in build/detector-proof/).
#
# usage: scripts/detector-proof.sh      (after make modules-debug)
# Exit status 0: the test went red for the right reasons.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$repo/build}
kdir=$BUILD/debug-kernel
out=$BUILD/detector-proof
[ -d "$kdir/root/lib/modules" ] || { echo "detector-proof: make debug-kernel first" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/src"
cd "$repo"
git ls-files -co --exclude-standard -- Kbuild proto vhost-iommu guest tests/kmod tests/common |
	grep -E '(Kbuild|\.[ch])$' | xargs cp --parents -t "$out/src"
anchor='	vi->id = ret;'
grep -qxF "$anchor" "$out/src/vhost-iommu/vhost.c" ||
	{ echo "detector-proof: anchor line not found in vhost.c" >&2; exit 1; }
python3 - "$out/src/vhost-iommu/vhost.c" "$anchor" <<'PY'
import sys
path, anchor = sys.argv[1], sys.argv[2]
bug = anchor + """
	{	/* DELIBERATE BUGS (scripts/detector-proof.sh): a leak, a use after free */
		u32 *leak = kmalloc(96, GFP_KERNEL);
		u32 *uaf = kmalloc(32, GFP_KERNEL);

		if (leak)
			leak[0] = vi->id;
		if (uaf) {
			kfree(uaf);
			vi->id += READ_ONCE(uaf[1]) & 0;
		}
	}"""
s = open(path).read()
open(path, "w").write(s.replace(anchor, bug, 1))
PY
nice -n 10 make -s -C "$kdir/src" M="$out/src" W=1 KCFLAGS=-Werror \
	PVIOMMU_KPRIV="$kdir/src" modules
mkdir -p "$out/modules"
cp "$out"/src/{proto/pviommu_proto.ko,vhost-iommu/vhost_iommu.ko,guest/pviommu.ko} "$out/modules/"

set +e
RIG_EXTRA_MODULES=$out/modules \
	"$repo/tests/rig/run" --append "rig_vhost_suites=conformance" l1_vhost_iommu:debug
rc=$?
set -e
tap=$BUILD/rig/runs/l1_vhost_iommu:debug/result.tap
echo "detector-proof: the run exited with $rc; its failed points:"
grep '^not ok' "$tap" || true
if [ $rc -ne 0 ] && grep -q '^not ok .*KASAN' "$tap" && grep -q '^not ok .*kmemleak' "$tap"; then
	echo "detector-proof: PASS: the injected use-after-free and leak turned the test red"
	exit 0
fi
echo "detector-proof: FAIL: the injected bugs were not caught" >&2
exit 1
