#!/bin/sh
# L1, in make check on Debian's kernel: l1_debug_adversarial.sh with fewer
# iterations (no kmemleak or failslab there).  The full runs: make check-debug.
: "${RIG_FUZZ_CALLS:=50000}" "${RIG_STRESS_OPS:=200000}" "${RIG_PARTS:=fuzz,stress}"
export RIG_FUZZ_CALLS RIG_STRESS_OPS RIG_PARTS
. /tests/l1_debug_adversarial.sh
