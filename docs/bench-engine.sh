#!/usr/bin/env bash
# bench-engine.sh: times the diagnosis engine against grep over the same
# mixed debug pastes, plus the go test benchmarks of the engine and compare.
# Bounded: a fixed number of runs per measurement, two input sizes.
# Usage: docs/bench-engine.sh [RUNS]   (run from anywhere; RUNS defaults to 5)
set -euo pipefail
RUNS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/tunneldoc-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
export LC_ALL=C

echo "== machine"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "mem:     $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "go:      $(go version)"
echo "grep:    $(grep --version | head -1)"

go build -o "$WORK/tunneldoc" ./cmd/tunneldoc

# The pastes: every case file of diagnose/testdata/cases, concatenated in
# name order and repeated until the size is reached (same recipe as
# mixedDebugPaste in diagnose/bench_test.go).
make_paste() { # size-bytes out
  local size=$1 out=$2 one="$WORK/one.txt"
  : >"$one"
  for f in diagnose/testdata/cases/*/*.txt; do cat "$f" >>"$one"; echo >>"$one"; done
  : >"$out"
  while [ "$(stat -c %s "$out")" -lt "$size" ]; do cat "$one" >>"$out"; done
  head -c "$size" "$out" >"$out.tmp" && mv "$out.tmp" "$out"
}
make_paste $((1 << 20)) "$WORK/paste-1MB.txt"
make_paste $((50 << 20)) "$WORK/paste-50MB.txt"

# The signatures: every Anchor literal of the IOS, ASA and strongSwan
# line tables, one per line for -F and as one escaped alternation for -E.
grep -ohP 'Anchor:\s*"\K[^"]*' diagnose/ios/debug.go diagnose/asa/debug.go diagnose/strongswan/logline.go |
  sort -u >"$WORK/anchors.txt"
sed -e 's/[][\.*^$+?(){}|/]/\\&/g' "$WORK/anchors.txt" | paste -sd'|' >"$WORK/anchors.ere"
echo "anchors: $(wc -l <"$WORK/anchors.txt") distinct literals"

have_hyperfine=0
command -v hyperfine >/dev/null && have_hyperfine=1

# time_cmd label command...: mean, min and max wall seconds over RUNS runs
# (after one warm-up). Output goes to a pipe or a file, never /dev/null:
# GNU grep notices /dev/null and stops at the first match.
time_cmd() {
  local label=$1; shift
  if [ $have_hyperfine = 1 ]; then
    hyperfine -N --output=pipe --warmup 1 --runs "$RUNS" --export-json "$WORK/hf.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.4f %.4f %.4f"%(r["mean"],r["min"],r["max"]))' "$WORK/hf.json"
  else
    # not >/dev/null: GNU grep stops at the first match when its output is /dev/null
    "$@" >"$WORK/out" 2>&1 || true
    local t0 t1 all=()
    for _ in $(seq "$RUNS"); do
      t0=$(date +%s.%N); "$@" >"$WORK/out" 2>&1 || true; t1=$(date +%s.%N)
      all+=("$(echo "$t1 - $t0" | bc -l)")
    done
    printf '%s\n' "${all[@]}" | awk '{s+=$1; if(min==""||$1<min)min=$1; if($1>max)max=$1} END {printf "%.4f %.4f %.4f\n", s/NR, min, max}'
  fi
}

echo
echo "== engine vs grep (wall seconds, mean of $RUNS runs after a warm-up; hyperfine=$have_hyperfine)"
printf '%-8s %-28s %9s %9s %9s %9s\n' size tool mean min max MB/s
for size in 1MB 50MB; do
  f="$WORK/paste-$size.txt"
  mb=$(awk -v b="$(stat -c %s "$f")" 'BEGIN{print b/1048576}')
  read -r td tdmin tdmax < <(time_cmd diag "$WORK/tunneldoc" diagnose "$f")
  read -r gf gfmin gfmax < <(time_cmd grepF grep -F -c -f "$WORK/anchors.txt" "$f")
  read -r ge gemin gemax < <(time_cmd grepE grep -E -c -f "$WORK/anchors.ere" "$f")
  printf '%-8s %-28s %9s %9s %9s %9.1f\n' "$size" "tunneldoc diagnose" "$td" "$tdmin" "$tdmax" "$(echo "$mb / $td" | bc -l)"
  printf '%-8s %-28s %9s %9s %9s %9.1f\n' "$size" "grep -F -c -f anchors" "$gf" "$gfmin" "$gfmax" "$(echo "$mb / $gf" | bc -l)"
  printf '%-8s %-28s %9s %9s %9s %9.1f\n' "$size" "grep -E -c (alternation)" "$ge" "$gemin" "$gemax" "$(echo "$mb / $ge" | bc -l)"
  printf '%-8s ratio tunneldoc/grep-F = %.2fx, tunneldoc/grep-E = %.2fx\n' "$size" "$(echo "$td / $gf" | bc -l)" "$(echo "$td / $ge" | bc -l)"
  echo "$size matching lines: grep -F $(grep -F -c -f "$WORK/anchors.txt" "$f"), grep -E $(grep -E -c -f "$WORK/anchors.ere" "$f")"
done
/usr/bin/time -f "50MB tunneldoc diagnose: max RSS %M KiB, user %U s, sys %S s, wall %e s" "$WORK/tunneldoc" diagnose "$WORK/paste-50MB.txt" >/dev/null

echo
echo "== go test -bench BenchmarkDiagnose -benchmem ./diagnose"
go test -run '^$' -bench BenchmarkDiagnose -benchmem -count 1 ./diagnose
echo
echo "== go test -bench . -benchmem ./diagnose/compare"
go test -run '^$' -bench . -benchmem -count 1 ./diagnose/compare
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"
