#!/bin/sh
# Marks bench_compare_tiny as a nested (level-2) test, so that L1 boots the
# image with QEMU and L2; its L2 boots run bench_compare.l2.sh.
. /tests/bench_compare.l2.sh
