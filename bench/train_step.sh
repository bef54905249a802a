#!/usr/bin/env bash
# One fine-tuning step (forward + backward + Adam) of the layers above Mixed_6e, blastscan and
# PyTorch (Debian's python3-torch / python3-torchvision; same blocks, threads and batch) in one
# run, then the ratio blastscan / PyTorch (the target is <= 0.7). Usage:
#   bench/train_step.sh [BATCH=10] [THREADS=2] [STEPS=10]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
batch=${1:-10} threads=${2:-2} steps=${3:-10}
cmake --build "$build" --target train_step >/dev/null
python=${PYTHON:-/usr/bin/python3}  # Debian's, where python3-torch installs (not a pyenv or venv one)
"$python" -c "import torch, torchvision" 2>/dev/null || {
  echo "train_step.sh: needs Debian's python3-torch and python3-torchvision (apt-get install python3-torchvision)" >&2
  exit 1
}
echo "load before: $(uptime | sed 's/.*load average: //')"
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-2000} OMP_NUM_THREADS=$threads
ours=$("$build/bench/train_step" "$batch" "$threads" "$steps")
theirs=$("$python" "$root/bench/train_step.py" "$batch" "$threads" "$steps")
echo "$ours"
echo "$theirs"
echo "load after: $(uptime | sed 's/.*load average: //')"
median() { sed -n 's/.*median \([0-9.]*\) ms\/step.*/\1/p'; }
awk -v a="$(echo "$ours" | median)" -v b="$(echo "$theirs" | median)" \
  'BEGIN { printf "blastscan / PyTorch = %.2f (target <= 0.7)\n", a / b }'
