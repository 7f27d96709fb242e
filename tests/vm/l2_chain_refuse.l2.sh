#!/bin/sh
# Stub: l2_chain_refuse runs in L1 only; this file makes it a level-2 test,
# whose image carries the patched QEMU.
. /tests/lib.sh
check "nothing to do in L2" true
