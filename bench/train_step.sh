#!/usr/bin/env bash
# One fine-tuning step (forward + backward + Adam) of the layers above Mixed_6e, blastscan and
# PyTorch (Debian's python3-torch / python3-torchvision; same blocks, threads and batch) in one
# run, then the ratio blastscan / PyTorch (the target is <= 0.7). The two alternate ROUNDS times
# and the ratio is given per round and as the median of the rounds: PyTorch's median step moved
# by 25% between runs a minute apart on a quiet machine, so one pair is not enough. Usage:
#   bench/train_step.sh [BATCH=10] [THREADS=2] [STEPS=20] [ROUNDS=3]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
batch=${1:-10} threads=${2:-2} steps=${3:-20} rounds=${4:-3}
cmake --build "$build" --target train_step >/dev/null
python=${PYTHON:-/usr/bin/python3}  # Debian's, where python3-torch installs (not a pyenv or venv one)
"$python" -c "import torch, torchvision" 2>/dev/null || {
  echo "train_step.sh: needs Debian's python3-torch and python3-torchvision (apt-get install python3-torchvision)" >&2
  exit 1
}
echo "load before: $(uptime | sed 's/.*load average: //')"
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-2000} OMP_NUM_THREADS=$threads
median() { sed -n 's/.*median \([0-9.]*\) ms\/step.*/\1/p'; }
ratios=()
for round in $(seq "$rounds"); do
  ours=$("$build/bench/train_step" "$batch" "$threads" "$steps")
  theirs=$("$python" "$root/bench/train_step.py" "$batch" "$threads" "$steps")
  echo "$ours" | sed "s/^/round $round: /"
  echo "$theirs" | sed "s/^/round $round: /"
  ratios+=("$(awk -v a="$(echo "$ours" | median)" -v b="$(echo "$theirs" | median)" 'BEGIN { printf "%.3f", a / b }')")
done
echo "load after: $(uptime | sed 's/.*load average: //')"
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END {
  printf "blastscan / PyTorch by round, sorted:"; for (i = 1; i <= NR; ++i) printf " %.2f", r[i]
  printf "; median %.2f (target <= 0.7)\n", r[int((NR + 1) / 2)] }'
