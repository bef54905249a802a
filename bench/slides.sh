#!/usr/bin/env bash
# Whole-slide scanning speed and memory. Two slides made with libvips (Debian libvips-tools):
#  1. a 2592x1944 JPEG (the ALL-IDB1 photo size) of textured noise, so no tile is background:
#     the worst case, every tile classified; scanned at stride = tile size (299: 9x7 = 63 tiles).
#  2. a 40000x30000 pyramidal BigTIFF (`vips tiffsave --tile --pyramid --bigtiff`), glass-white
#     with a 4000x3000 textured region, read tile by tile through OpenSlide: 13,534 tiles read,
#     most of them background, and the peak resident memory (GNU time's maximum RSS), which must
#     stay bounded by the tile batch, not the slide (target: under 500 MB).
# Prints wall time, tiles/s and maximum RSS per run, with the CPU and the load (`uptime`):
# timings are only comparable within one run on a shared machine.
#
# Usage: bench/slides.sh MODEL.pb [extra classify flags, e.g. --precision bf16]
# Environment: BUILD_DIR (default build), WORK (default: a temporary folder, removed after).
set -euo pipefail
. "$(dirname "$0")/common.sh"
model=${1:?usage: bench/slides.sh MODEL.pb [classify flags...]}
shift
command -v vips >/dev/null || { echo "slides: vips is missing (scripts/setup.sh installs libvips-tools)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "slides: GNU time (/usr/bin/time) is missing" >&2; exit 1; }
work=${WORK:-$(mktemp -d)}
[[ -n ${WORK:-} ]] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
build_blastscan "$work"

# Textured RGB noise around a mid grey: every 299-pixel tile has stained-looking pixels.
texture() {  # texture WIDTH HEIGHT OUT
  vips gaussnoise "$work/noise.v" "$1" "$2" --mean 150 --sigma 45
  vips cast "$work/noise.v" "$work/noise8.v" uchar
  vips bandjoin "$work/noise8.v $work/noise8.v $work/noise8.v" "$work/noise3.v"
  vips copy "$work/noise3.v" "$3" --interpretation srgb
}

if [[ ! -f $work/photo.jpg ]]; then
  texture 2592 1944 "$work/photo.jpg[Q=90]"
fi
if [[ ! -f $work/slide.tif ]]; then
  texture 4000 3000 "$work/region.v"
  vips black "$work/black.v" 40000 30000 --bands 3
  vips linear "$work/black.v" "$work/glass.v" 1 235 --uchar
  vips insert "$work/glass.v" "$work/region.v" "$work/slide.v" 18000 13000
  vips copy "$work/slide.v" "$work/slide_srgb.v" --interpretation srgb
  vips tiffsave "$work/slide_srgb.v" "$work/slide.tif" --tile --pyramid --bigtiff --compression jpeg --Q 90 \
    --tile-width 256 --tile-height 256
  rm -f "$work"/*.v
fi

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
run() {  # run LABEL IMAGE FLAGS...
  local label=$1 image=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$blastscan" classify --model "$model" --format json "$@" \
    "$image" >"$work/out.json" 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
  read -r seconds rss_kb <"$work/time.txt"
  python3 - "$label" "$seconds" "$rss_kb" "$work/out.json" <<'PY'
import json, sys
label, seconds, rss_kb, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
row = json.load(open(out))["images"][0]
t = row["tile_counts"]
print(f"{label}: {seconds:.1f} s wall, {t['total']} tiles ({t['background']} background, {t['classified']} classified), "
      f"{t['total'] / seconds:.1f} tiles/s read, {t['classified'] / seconds:.1f} tiles/s classified, "
      f"max RSS {rss_kb / 1024:.0f} MB")
PY
}
run "2592x1944 JPEG, tile 299 stride 299" "$work/photo.jpg" --tile 299 "$@"
run "40000x30000 pyramidal BigTIFF, tile 299 stride 299" "$work/slide.tif" --tile 299 "$@"
echo "load after: $(uptime | sed 's/.*load average: //')"
