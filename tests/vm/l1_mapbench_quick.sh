#!/bin/sh
# L1: l1_mapbench in its tiny mode (a few iterations, 1 and 1000 live
# mappings), so that make check keeps the benchmark harness from rotting.
export RIG_MAPBENCH_QUICK=1
exec sh /tests/l1_mapbench.sh
