#!/bin/sh
# The comparison in its tiny mode (make check): one round of the four
# configurations, 0.5 s per workload, a short floor, so that the harness
# (bench_compare.sh, bench/report.py) cannot rot.
export RIG_BENCH_TINY=1
exec sh /tests/bench_compare.sh
