#!/usr/bin/env bash
# Runs every libFuzzer harness of tests/fuzz for SECONDS each, two at a time, and prints per
# harness: executions, executions/s, coverage (cov = edges, ft = features), corpus size, peak
# RSS and the inputs that crashed it. Builds the clang fuzz tree first (BUILD_DIR, default
# build-fuzz). The corpus grows across runs in BUILD_DIR/fuzz/corpus/<harness>; crash inputs
# land in BUILD_DIR/fuzz/crashes/<harness>/ (copy each into tests/fuzz/regressions/<harness>/,
# fix the bug, and ctest replays it from then on). Exits 1 if any harness crashed.
#
# Usage: bench/fuzz.sh [SECONDS] [HARNESS...]   (default 300 s, every harness)
# Environment: BUILD_DIR, JOBS (harnesses at once, default 2), BLASTSCAN_SHARED (a few shared
# images join the image seeds).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
shared=${BLASTSCAN_SHARED:-$root/../shared}
seconds=${1:-300}
shift || true
jobs=${JOBS:-2}
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(graphdef tfrecord text_formats image serve slide)

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DBLASTSCAN_FUZZ=ON -DBLASTSCAN_BENCH=OFF "${launcher[@]}" >/dev/null
targets=(make_fuzz_seeds)
for name in "${harnesses[@]}"; do targets+=("fuzz_$name"); done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -40 "$build/fuzz-build.log" >&2; exit 1; }

work=$build/fuzz
rm -rf "$work/seeds" "$work/logs"
mkdir -p "$work/logs"
"$build/tests/fuzz/make_fuzz_seeds" "$work/seeds" >/dev/null
# Real blood-smear JPEGs (and what libjpeg makes of their mutations) beside the synthetic seeds.
for f in "$shared"/data/taleqani/Pro/WBC-Malignant-Pro-001.jpg "$shared"/data/all_idb2_lowres/Im001_1.jpg; do
  [[ -f $f ]] && cp "$f" "$work/seeds/image/"
done

# One harness: -malloc_limit_mb catches an allocation sized by a declared shape or header
# rather than by the bytes present; -timeout makes a unit slower than 10 s a finding.
run_one() {
  local name=$1 dict=()
  [[ -f $root/tests/fuzz/$name.dict ]] && dict=(-dict="$root/tests/fuzz/$name.dict")
  mkdir -p "$work/corpus/$name" "$work/crashes/$name"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=512 \
    -print_final_stats=1 -artifact_prefix="$work/crashes/$name/" "${dict[@]}" \
    "$work/corpus/$name" "$work/seeds/$name" >"$work/logs/$name.log" 2>&1 || true
}
export -f run_one
export build work root seconds
touch "$work/started"  # crash inputs newer than this are this run's
start=$(date +%s)
printf '%s\n' "${harnesses[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'
elapsed=$(($(date +%s) - start))

# The summary, from libFuzzer's final statistics and its last status line.
crashed=0
printf '%-13s %9s %9s %7s %7s %7s %7s  %s\n' harness execs exec/s cov ft corpus rss_mb crashes
for name in "${harnesses[@]}"; do
  log=$work/logs/$name.log
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  status=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$status")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$status")
  crashes=$(find "$work/crashes/$name" -type f -newer "$work/started" 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ')
  [[ -n $crashes ]] && crashed=1
  printf '%-13s %9s %9s %7s %7s %7s %7s  %s\n' "$name" "$(stat number_of_executed_units)" \
    "$(stat average_exec_per_sec)" "${cov:--}" "${ft:--}" "$(find "$work/corpus/$name" -type f | wc -l)" \
    "$(stat peak_rss_mb)" "${crashes:-none}"
  [[ -n $crashes ]] && grep -m3 -E 'ERROR: |runtime error|invariant broken|terminate called|what\(\)' "$log" | sed 's/^/    /'
done
echo "fuzz: ${#harnesses[@]} harnesses x ${seconds} s, $jobs at a time: ${elapsed} s; logs in $work/logs"
exit "$crashed"
