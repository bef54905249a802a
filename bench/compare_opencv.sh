#!/usr/bin/env bash
# Times blastscan and OpenCV DNN on the same .pb, same input, same threads, in one run, and
# prints the ratio (blastscan / OpenCV; the target is <= 0.75 at batch 1). Builds the
# benchmark binary if needed. Usage: bench/compare_opencv.sh [MODEL.pb] [THREADS] [BATCH ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake --build "$build" --target compare_opencv >/dev/null
export BLASTSCAN_SHARED=${BLASTSCAN_SHARED:-$root/../shared}
exec "$build/bench/compare_opencv" "$@"
