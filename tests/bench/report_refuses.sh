#!/usr/bin/env bash
# bench/report.py prints no number for a run that is not whole and verified:
# fed the committed run's raw BENCH: lines it writes the table; fed the same
# lines with one boot unverified, one result missing, a guest domain other
# than the mode claims, or a result from another guest kernel, it refuses
# (exit 1, "REFUSED").  TAP.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
export TAP_STATE=$(mktemp -d) TAP_MARK=
trap 'rm -rf "$TAP_STATE"' EXIT
# shellcheck source=../rig/tap.sh
. "$repo/tests/rig/tap.sh"
raw=$(ls "$repo"/bench/results/*/raw.jsonl | grep -v -- '-l1/' | tail -n 1)
report() { python3 "$repo/bench/report.py" "$1" "$TAP_STATE/out" >"$TAP_STATE/report.out" 2>&1; }
refused() { ! report "$1" && grep -q 'REFUSED, no numbers' "$TAP_STATE/report.out" &&
	[ ! -s "$TAP_STATE/out/results.md" ]; }

check "the committed run's lines make a table ($raw)" \
	eval 'report "$raw" && grep -q "(d)/(c) throughput" "$TAP_STATE/out/results.md"'
rm -rf "$TAP_STATE/out"
sed '0,/"config":"pv-kernel","verified":true/s//"config":"pv-kernel","verified":false/' "$raw" >"$TAP_STATE/unverified"
check "a boot that did not run as claimed: refused" refused "$TAP_STATE/unverified"
awk '/"workload":"randread_4k_qd32"/ && !done { done = 1; next } { print }' "$raw" >"$TAP_STATE/missing"
check "a missing result: refused" refused "$TAP_STATE/missing"
sed '0,/"mode":"lazy","domain":"DMA-FQ"/s//"mode":"lazy","domain":"DMA"/' "$raw" >"$TAP_STATE/domain"
check "a lazy result from a strict domain: refused" refused "$TAP_STATE/domain"
# (A later key wins in JSON: one result from another guest kernel.)
sed '0,/"workload":"seqread_64k_qd8"/s//&,"kernel":"6.0.0-other"/' "$raw" >"$TAP_STATE/kernel"
check "a result from another guest kernel: refused" refused "$TAP_STATE/kernel"
tap_plan_end
tap_failed && exit 1
exit 0
