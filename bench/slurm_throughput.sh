#!/usr/bin/env bash
# Scoring throughput (images/s) of one `blastscan classify` process against the same images
# classified by a Slurm job array (scripts/slurm/classify_array.sbatch) plus its dependent
# merge (scripts/slurm/merge.sbatch), on a one-node cluster started on this machine
# (tests/scaleout/slurm_cluster.sh). The array's time runs from sbatch to the merged file, so
# it includes scheduling, one model load per task and the merge. Merged rows are checked
# against the one-process run (times blanked).
#
# Usage: bench/slurm_throughput.sh [MODEL.pb] [IMAGES]   (run as root; scripts/setup.sh first)
#   MODEL.pb  default: a Mixed_7a model with random weights (the cost of the shared backbone's
#             model), written by `blastscan export --random Mixed_7a`
#   IMAGES    default: the 210 ALL-IDB2 crops of the shared data
# Environment: BUILD_DIR (default build), LAYOUTS (default "1x2 2x1 4x1": tasks x cpus-per-task).
set -euo pipefail
. "$(dirname "$0")/common.sh"
layouts=${LAYOUTS:-1x2 2x1 4x1}
work=$(mktemp -d /tmp/blastscan-bench-XXXXXX)
cluster=$work/cluster
cleanup() {
  bash "$root/tests/scaleout/slurm_cluster.sh" stop "$cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT
build_blastscan "$work"
model=$(model_or_random "${1:-}" "$work/model.pb")
images=${2:-$shared/data/all_idb2_lowres}
count=$(find "$images" -type f | wc -l)

now() { date +%s.%N; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f images/s (%.1f s)", n / t, t }'; }
blank_times() { sed -E 's/"time_ms": [0-9.e+-]+/"time_ms": T/' "$1"; }

echo "slurm_throughput: $count images, $(basename "$model"), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(now)
"$blastscan" classify --model "$model" --threads "$(nproc)" --format json "$images" >"$work/one.json"
one=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
echo "one process, $(nproc) threads: $(rate "$count" "$one")"

eval "$(bash "$root/tests/scaleout/slurm_cluster.sh" start "$cluster")"
export BLASTSCAN=$blastscan
for layout in $layouts; do
  tasks=${layout%x*} cpus=${layout#*x}
  out=$work/results-$layout
  start=$(now)
  job=$(sbatch --parsable --chdir "$work" --output "$work/%x-%A_%a.out" --array=0-$((tasks - 1)) \
    --cpus-per-task "$cpus" "$root/scripts/slurm/classify_array.sbatch" "$model" "$out" "$tasks" "$images")
  merge=$(sbatch --parsable --chdir "$work" --output "$work/%x-%j.out" --dependency=afterok:"$job" \
    "$root/scripts/slurm/merge.sbatch" "$out")
  while squeue -h -j "$job,$merge" | grep -q .; do sleep 0.1; done
  took=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
  [[ -f $out/results.json ]] || { echo "no merged result for $layout; logs in $work" >&2; trap - EXIT; exit 1; }
  same=no
  cmp -s <(blank_times "$out/results.json") <(blank_times "$work/one.json") && same=yes
  echo "array $tasks tasks x $cpus cpus + merge: $(rate "$count" "$took"), ratio to one process $(awk -v a="$one" -v b="$took" 'BEGIN { printf "%.2f", a / b }'), merged = one run: $same"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
