#!/usr/bin/env bash
# The main job, on the shared defaults: install, build, then the whole workflow on the Taleqani
# blood-smear images with the shared ImageNet Inception V3 backbone:
#   prepare (drop duplicates, 70/30 split grouped by blocks of 25 consecutive image numbers)
#   -> train the final layer on cached bottleneck features -> evaluate on the validation split
#   -> classify a few validation images -> print where the model and the report are.
# The shared folder is $BLASTSCAN_SHARED (default: ../shared beside the checkout); outputs go to
# $BLASTSCAN_DEMO_OUT (default: runs/demo in the checkout). A second run reuses the feature cache
# ($BLASTSCAN_CACHE or ~/.cache/blastscan/bottlenecks) and takes seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${BLASTSCAN_SHARED:-$(cd "$root/.." && pwd)/shared}
out=${BLASTSCAN_DEMO_OUT:-$root/runs/demo}
backbone=$shared/models/inception_v3_imagenet_2015_mixed7a.pb
data=$shared/data/taleqani
for need in "$backbone" "$data"; do
  [[ -e $need ]] || { echo "demo: $need is missing (set BLASTSCAN_SHARED to the shared folder)" >&2; exit 1; }
done

bash "$root/scripts/setup.sh"
echo "== build"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target blastscan
bs=$root/build/blastscan
start=$SECONDS

echo "== prepare: $data"
"$bs" prepare "$data" --out "$out/prepared" --val 0.3 --seed 50 --group-by blocks:25

echo "== train"
"$bs" train --backbone "$backbone" --data "$out/prepared" --out "$out/run"

echo "== evaluate (validation split)"
"$bs" evaluate --model "$out/run/model.pb" --data "$out/prepared" --out "$out/report"

echo "== classify: the first validation image of each class"
mapfile -t images < <(awk -F, 'NR > 1 && $5 == "validation" && !seen[$4]++ { print $1 }' "$out/prepared/manifest.csv")
(cd "$out/prepared" && "$bs" classify --model "$out/run/model.pb" "${images[@]}")

echo
echo "done in $((SECONDS - start)) s"
echo "model:  $out/run/model.pb (labels.txt, model_card.json, metrics.csv, training_curves.svg, TensorBoard events beside it)"
echo "report: $out/report/report.html"
