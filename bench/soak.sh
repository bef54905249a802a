#!/usr/bin/env bash
# Soak test of `blastscan serve`: CONNECTIONS (16) concurrent clients for SECONDS (600) with a
# mix of good, corrupt, oversized, malformed and slow (1 byte/s) requests (bench/soak_driver.py
# says what counts as a failure). Prints the figures as JSON: requests by kind and status,
# good-request latency, RSS and open fds, failures; exits 1 on any failure or if the server
# crashed or did not exit 0 on SIGTERM. CI runs it for 60 s (scripts/test.sh).
#
# Usage: bench/soak.sh [SECONDS] [MODEL.pb]   (default: a seeded random model up to Conv2d_2a_3x3)
# Environment: BUILD_DIR (default build), CONNECTIONS (16), SLOW (3 of them slow clients),
# READ_TIMEOUT (5 s), REQUEST_TIMEOUT (15 s), BLASTSCAN_SHARED (the good images are shared taleqani images),
# SERVE_FLAGS (more flags for serve, e.g. "--malloc-arenas 0" to compare with glibc's default arenas).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
shared=${BLASTSCAN_SHARED:-$root/../shared}
seconds=${1:-600}
model=${2:-}
connections=${CONNECTIONS:-16}
slow=${SLOW:-3}
read_timeout=${READ_TIMEOUT:-5}
request_timeout=${REQUEST_TIMEOUT:-15}  # a slow client is cut off after this (408)
max_body_mb=2
bin=$build/blastscan
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-2000}

if [[ -z $model ]]; then
  model=$work/model.pb
  "$bin" export --random Conv2d_2a_3x3 --classes 2 --seed 7 --out "$model" >/dev/null
fi
# The good images (each class of taleqani) and what `blastscan classify` answers for them:
# the server must give the same answers under load.
images=()
for c in Benign Early Pre Pro; do images+=("$shared"/data/taleqani/$c/*-00[23].jpg); done
"$bin" classify --threads 1 --format json --model "$model" "${images[@]}" >"$work/reference.json"
# Not images: text, a truncated JPEG, and a JPEG whose header claims 65535x65535.
printf 'this is not an image\n' >"$work/text.jpg"
head -c 3000 "${images[0]}" >"$work/cut.jpg"
python3 - "${images[0]}" "$work/huge.jpg" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = next(i for i in range(2, len(b) - 9) if b[i] == 0xFF and b[i + 1] in (0xC0, 0xC2))
b[i + 5:i + 9] = b"\xff\xff\xff\xff"
open(sys.argv[2], "wb").write(b)
EOF

"$bin" serve --model "$model" --port 0 --threads 1 --max-body-mb "$max_body_mb" --read-timeout "$read_timeout" \
  --request-timeout "$request_timeout" ${SERVE_FLAGS:-} >"$work/serve.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 300); do
  port=$(sed -n 's|.*listening on http://[^:]*:\([0-9]*\)/.*|\1|p' "$work/serve.log" | head -1)
  [[ -n $port ]] && grep -q "model ready" "$work/serve.log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done
[[ -n $port ]] || { echo "soak: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }

status=0
python3 "$root/bench/soak_driver.py" --port "$port" --pid "$server_pid" --seconds "$seconds" \
  --connections "$connections" --slow "$slow" --read-timeout "$read_timeout" --request-timeout "$request_timeout" --max-body $((max_body_mb << 20)) \
  --reference "$work/reference.json" --corrupt "$work/text.jpg" "$work/cut.jpg" "$work/huge.jpg" || status=1

kill -TERM "$server_pid"
exit_code=0
wait "$server_pid" || exit_code=$?
server_pid=""
if ((exit_code != 0)); then
  echo "soak: the server exited $exit_code on SIGTERM (expected 0); last log lines:" >&2
  tail -5 "$work/serve.log" >&2
  status=1
fi
grep -c '"POST /Inference"' "$work/serve.log" | sed 's/^/soak: inference log lines: /'
exit "$status"
