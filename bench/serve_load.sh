#!/usr/bin/env bash
# Load test of `blastscan serve` on loopback: wrk sends REQUESTS (2,000) POST /Inference
# requests, the image as the raw body, over CONNECTIONS (16) concurrent connections, twice,
# and prints requests/s, p50/p90/p99 latency, failures, and the server's resident memory
# before, after round 1 and after round 2 (flat memory: round 2 adds nothing). Then SIGTERM,
# which must end the server with exit 0.
#
# Usage: bench/serve_load.sh MODEL.pb [IMAGE]
#   MODEL.pb  a model with a head, e.g. the one `blastscan train` writes
#   IMAGE     default: a shared taleqani image (224x224 JPEG)
# Environment: BUILD_DIR (default build), REQUESTS, CONNECTIONS, THREADS (compute threads, 0 = all),
# SERVE_ARGS (more serve flags, e.g. "--batch 1" to compare with throughput mode's default).
set -euo pipefail
. "$(dirname "$0")/common.sh"
model=${1:?usage: bench/serve_load.sh MODEL.pb [IMAGE]}
image=${2:-$shared/data/taleqani/Pro/WBC-Malignant-Pro-001.jpg}
requests=${REQUESTS:-2000}
connections=${CONNECTIONS:-16}
threads=${THREADS:-0}
read -r -a serve_args <<<"${SERVE_ARGS:-}"
command -v wrk >/dev/null || { echo "serve_load: wrk is missing (scripts/setup.sh installs it)" >&2; exit 1; }
work=$(mktemp -d)
build_blastscan "$work"
server_pid=""
wrk_pid=""
cleanup() {
  [[ -n $wrk_pid ]] && kill "$wrk_pid" 2>/dev/null || true
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# ---- the server, on a free port (it prints the one it got)
"$blastscan" serve --model "$model" --port 0 --threads "$threads" --workers "$connections" "${serve_args[@]}" \
  >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 600); do
  grep -q "model ready" "$work/serve.log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$')
url="http://127.0.0.1:$port"
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }

# ---- warm-up: first requests allocate the network's buffers
for _ in $(seq 10); do
  curl -sf -o /dev/null --data-binary "@$image" -H "Content-Type: application/octet-stream" "$url/Inference"
done
rss_warm=$(rss_kib)

# wrk runs for a duration, not a count: one wrk thread counts the responses, writes a marker
# file at REQUESTS and stops; this script then interrupts wrk, which prints its summary.
cat "$root/bench/post_image.lua" - >"$work/post.lua" <<'EOF'
local quota = tonumber(os.getenv("LOAD_REQUESTS"))
local responses, not_ok = 0, 0
function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then not_ok = not_ok + 1 end
  if responses == quota then
    local marker = assert(io.open(os.getenv("LOAD_MARKER"), "w"))
    marker:write(not_ok)
    marker:close()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("responses %d, not 200: %s, socket errors: connect %d read %d write %d timeout %d\n",
    summary.requests, io.open(os.getenv("LOAD_MARKER")):read("*a"), e.connect, e.read, e.write, e.timeout))
  io.write(string.format("%.1f requests/s over %.1f s; latency p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms\n",
    summary.requests / (summary.duration / 1e6), summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
end
EOF

run_round() {
  local marker="$work/done.$1"
  LOAD_IMAGE=$image LOAD_REQUESTS=$requests LOAD_MARKER=$marker \
    wrk -t 1 -c "$connections" -d 3600s --timeout 120s -s "$work/post.lua" "$url" >"$work/wrk.$1" 2>&1 &
  wrk_pid=$!
  while [[ ! -f $marker ]]; do
    kill -0 "$wrk_pid" 2>/dev/null || { cat "$work/wrk.$1" >&2; exit 1; }
    sleep 0.2
  done
  kill -INT "$wrk_pid"
  wait "$wrk_pid" || true
  wrk_pid=""
  echo "round $1: $(grep -E '^(responses|[0-9.]+ requests/s)' "$work/wrk.$1" | paste -sd ';' | sed 's/;/; /')"
}

echo "serve_load: $requests requests x 2 rounds, $connections connections, $(basename "$model"), $(basename "$image") ($(stat -c %s "$image") bytes), $(nproc) cores"
run_round 1
rss_1=$(rss_kib)
run_round 2
rss_2=$(rss_kib)
echo "server RSS: after warm-up $((rss_warm / 1024)) MiB, after round 1 $((rss_1 / 1024)) MiB, after round 2 $((rss_2 / 1024)) MiB"

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
echo "server exit status after SIGTERM: $status"
echo "log lines for POST /Inference: $(grep -c '"POST /Inference"' "$work/serve.log")"
[[ $status -eq 0 ]]
