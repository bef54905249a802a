#!/usr/bin/env bash
# Installs what is needed, builds, and runs the whole test suite twice: the Release build, then
# a build with AddressSanitizer + UndefinedBehaviorSanitizer; then fuzzes every parser and soaks
# the server (issue 13). The shared weights and data are read from $BLASTSCAN_SHARED (default:
# ../shared beside the checkout).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export BLASTSCAN_SHARED=${BLASTSCAN_SHARED:-$(cd "$root/.." && pwd)/shared}
bash "$root/scripts/setup.sh"
jobs=$(nproc)
# Tests run side by side: keep OpenMP's idle threads from spinning (see src/cli/main.cpp).
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-2000}

echo "== Release build and tests"
bash "$root/scripts/build.sh" "$root/build"
ctest --test-dir "$root/build" -j"$jobs" --output-on-failure --timeout 900

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
bash "$root/scripts/build.sh" "$root/build-asan" -DBLASTSCAN_SANITIZE=ON -DBLASTSCAN_BENCH=OFF
ASAN_OPTIONS=abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-asan" -j"$jobs" --output-on-failure --timeout 1800

# == Hostile input (issue 13): every libFuzzer harness for 60 s, two at a time (bench/fuzz.sh
# builds the clang tree build-fuzz: -fsanitize=fuzzer,address,undefined), then the server soaked
# for 60 s under 16 connections of good, corrupt, oversized, malformed and 1-byte/s requests
# (bench/soak.sh, on the Release build above). Either fails CI on a crash, a sanitizer report,
# a wrong answer, a starved client or an unclean exit. Measured: see the README's Hardening.
echo "== Fuzzing (60 s per harness) and a 60-second soak"
BUILD_DIR="$root/build-fuzz" JOBS=2 bash "$root/bench/fuzz.sh" 60
BUILD_DIR="$root/build" bash "$root/bench/soak.sh" 60
