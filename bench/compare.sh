#!/usr/bin/env bash
# blastscan against its peers on one machine, in one run, with the same thread count:
#   blastscan fp32 / bf16 / int8; ONNX Runtime (CPU provider) on blastscan's exported ONNX and on
#   torchvision's Inception V3 exported to ONNX; OpenVINO on the same two ONNX files, asked for f32
#   (it picks bf16 by itself on a CPU with AVX512-BF16) and, in rows of their own, bf16; OpenCV DNN
#   4.6 (Debian) on the same .pb; PyTorch (Debian's python3-torch) fp32 and int8 (torchvision's
#   quantizable inception_v3 on fbgemm, or oneDNN where the build lacks fbgemm as Debian 12's
#   does; calibrated on random data: for timing only).
# The full network (to Mixed_7c; random weights, as the real ones are not available) and the
# shared ImageNet backbone up to Mixed_7a, at batch 1 and 8. Every timing is warm-up runs then
# the median of 20; the peers are interleaved round after round (--rounds) and the table shows
# the median over rounds, ms/image, GFLOP/s (11.4 / 10.0 GFLOP per image) and the ratio to ONNX
# Runtime fp32 on torchvision's ONNX. `uptime` is recorded with every round: other work on the
# machine makes timings noisy, so compare ratios within one run only.
#
#   bench/compare.sh [--threads 2] [--rounds 3] [--runs 20] [--out DIR]
#
# (--runs below 20 is for a quick look only; the table says how many runs it used.)
#
# ONNX Runtime and OpenVINO come from the package index into a venv outside the repository
# (scripts/python_env.sh; $BLASTSCAN_BENCH_VENV, default build/venv-bench); PyTorch from Debian
# (apt-get install python3-torch python3-torchvision). A peer that cannot be had, or that fails on
# one network or batch, is reported as MISSING (with the reason) in its place in the table and
# the rest still run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
threads=2 rounds=3 runs=20 out=${TMPDIR:-/tmp}/blastscan-compare
while (($#)); do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: bench/compare.sh [--threads N] [--rounds R] [--runs 20] [--out DIR]" >&2; exit 1 ;;
  esac
done
export BLASTSCAN_SHARED=${BLASTSCAN_SHARED:-$root/../shared}
export BLASTSCAN_BENCH_RUNS=$runs  # timed runs per measurement, read by every peer
# Every OpenMP peer (blastscan, OpenCV, PyTorch) gets the short spin blastscan uses: libgomp's
# default long spin collapses under other load (README, Threads), which would be unfair to them.
[[ -n ${OMP_WAIT_POLICY:-} ]] || export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-2000}
backbone=$BLASTSCAN_SHARED/models/inception_v3_imagenet_2015_mixed7a.pb
venv=${BLASTSCAN_BENCH_VENV:-$build/venv-bench}
peers=$root/bench/compare_peers.py
results=$out/results.txt
mkdir -p "$out"
: >"$results"

cmake --build "$build" --target blastscan compare_opencv >/dev/null
"$build/blastscan" export --random Mixed_7c --classes 2 --out "$out/full.pb" >/dev/null
"$build/blastscan" export --model "$out/full.pb" --out "$out/blastscan_full.onnx" >/dev/null
"$build/blastscan" export --model "$backbone" --out "$out/blastscan_Mixed_7a.onnx" >/dev/null
{
  echo "INFO machine: $(lscpu | sed -n 's/^Model name: *//p') (family $(lscpu | sed -n 's/^CPU family: *//p'), $(nproc) cores), $threads threads, median of $runs runs after warm-up"
  echo "INFO $("$build/blastscan" bench --model none --random none | head -1)"
} >>"$results"

onnx_python=
if bash "$root/scripts/python_env.sh" "$venv" onnxruntime openvino numpy >"$out/venv.log" 2>&1; then
  onnx_python=$venv/bin/python
else
  echo "MISSING onnxruntime+openvino: no venv ($(tail -1 "$out/venv.log"))" >>"$results"
fi

# blastscan's own rows from `blastscan bench` ("model end-point precision batch ms ...").
blastscan_round() {
  "$build/blastscan" bench --model "$out/full.pb" "$backbone" --random none --batch 1 8 --precision fp32 bf16 int8 \
    --threads "$threads" --runs "$runs" --seconds 0 |
    awk '$(NF-4) ~ /^(fp32|bf16|int8)$/ { net = ($(NF-5) == "Mixed_7c") ? "full" : $(NF-5);
         printf "RESULT blastscan-%s %s %s %s\n", $(NF-4), net, $(NF-3), $(NF-2) }'
}

opencv_round() {
  for net in full Mixed_7a; do
    pb=$backbone
    [[ $net == full ]] && pb=$out/full.pb
    "$build/bench/compare_opencv" "$pb" "$threads" 1 8 | awk -v net="$net" '$1 ~ /^[0-9]+$/ { printf "RESULT opencv-dnn-4.6 %s %s %s\n", net, $1, $3 }'
  done
}

for ((round = 1; round <= rounds; round++)); do
  echo "LOAD round $round: $(uptime)" | tee -a "$results"
  /usr/bin/python3 "$peers" torch "$out" "$threads" 1 8 2>>"$out/torch.log" | tee -a "$results" | grep -v '^ONNX' || true
  {
    echo "blastscan full $out/blastscan_full.onnx"
    echo "blastscan Mixed_7a $out/blastscan_Mixed_7a.onnx"
    sed -n 's/^ONNX torchvision \([^ ]*\) \(.*\)$/torchvision \1 \2/p' "$results" | sort -u
  } >"$out/onnx_models.txt"
  [[ -n $onnx_python ]] && { "$onnx_python" "$peers" onnx "$threads" "$out/onnx_models.txt" 1 8 2>>"$out/onnx.log" | tee -a "$results" || true; }
  blastscan_round | tee -a "$results"
  opencv_round | tee -a "$results"
done
echo "LOAD end: $(uptime)" >>"$results"
echo
/usr/bin/python3 "$peers" table "$results"
