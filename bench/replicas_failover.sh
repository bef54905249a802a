#!/usr/bin/env bash
# Two `blastscan serve` replicas behind nginx (deploy/nginx.conf, ports rewritten, prefix in a
# temporary folder), loaded by wrk through nginx for SECONDS (20) twice: round 1 with both
# replicas up, round 2 with one replica killed (SIGKILL, by pid) a third of the way in and
# restarted two thirds in. Prints requests/s, p50/p99 latency and failures (non-200 answers
# and socket errors) of each round, and which replica answered how often (nginx's log).
#
# Usage: bench/replicas_failover.sh [MODEL.pb] [IMAGE]   (run as root; scripts/setup.sh first)
#   MODEL.pb  default: a Mixed_7a model with random weights (`blastscan export --random Mixed_7a`)
#   IMAGE     default: a shared taleqani image (224x224 JPEG)
# Environment: BUILD_DIR, SECONDS_PER_ROUND (20), CONNECTIONS (8), THREADS (1 per replica).
set -euo pipefail
. "$(dirname "$0")/common.sh"
duration=${SECONDS_PER_ROUND:-20}
connections=${CONNECTIONS:-8}
threads=${THREADS:-1}
work=$(mktemp -d /tmp/blastscan-bench-XXXXXX)
pids=()
cleanup() {
  [[ -s $work/nginx/logs/nginx.pid ]] && kill -QUIT "$(cat "$work/nginx/logs/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT
build_blastscan "$work"
model=$(model_or_random "${1:-}" "$work/model.pb")
image=${2:-$shared/data/taleqani/Pro/WBC-Malignant-Pro-001.jpg}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_a=$(free_port) port_b=$(free_port) port=$(free_port)

start_replica() {  # start_replica PORT LOG -> pid in $replica
  "$blastscan" serve --model "$model" --port "$1" --threads "$threads" >"$2" 2>&1 &
  replica=$!
  pids+=("$replica")
  for _ in $(seq 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$1/health" && return 0
    sleep 0.1
  done
  echo "replica on $1 not ready" >&2
  return 1
}
start_replica "$port_a" "$work/a.log"; pid_a=$replica
start_replica "$port_b" "$work/b.log"

mkdir -p "$work/nginx/logs" "$work/nginx/temp"
sed -e "s/127.0.0.1:8080/127.0.0.1:$port/" -e "s/127.0.0.1:8081/127.0.0.1:$port_a/" \
  -e "s/127.0.0.1:8082/127.0.0.1:$port_b/" "$root/deploy/nginx.conf" >"$work/nginx/nginx.conf"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e logs/error.log

cat "$root/bench/post_image.lua" - >"$work/post.lua" <<'LUA'
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("%.1f requests/s, %d requests in %.1f s; latency p50 %.0f ms, p99 %.0f ms, max %.0f ms; " ..
    "failures: %d not 200, socket errors connect %d read %d write %d timeout %d\n",
    summary.requests / (summary.duration / 1e6), summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    e.status, e.connect, e.read, e.write, e.timeout))
end
LUA
load() {  # load ROUND
  LOAD_IMAGE=$image wrk -t 1 -c "$connections" -d "${duration}s" --timeout 60s -s "$work/post.lua" \
    "http://127.0.0.1:$port" | tail -1
}
by_replica() {
  for p in "$port_a" "$port_b"; do
    printf '%s %s  ' "127.0.0.1:$p" "$(grep -cE "upstream=([0-9.:]+, )*127\.0\.0\.1:$p " "$work/nginx/logs/access.log" || true)"
  done
  echo "(answers by the replica, nginx access log)"
}

echo "replicas_failover: 2 replicas x $threads compute thread(s) behind nginx, $connections connections, ${duration}s rounds, $(basename "$image")"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round 1, both replicas up: $(load)"
by_replica
: >"$work/nginx/logs/access.log"
kill -USR1 "$(cat "$work/nginx/logs/nginx.pid")"  # reopen the log
(
  sleep "$(awk -v d="$duration" 'BEGIN { print d / 3 }')"
  kill -KILL "$pid_a"
  echo "  killed replica 127.0.0.1:$port_a at $(date +%T)"
  sleep "$(awk -v d="$duration" 'BEGIN { print d / 3 }')"
  "$blastscan" serve --model "$model" --port "$port_a" --threads "$threads" >"$work/a2.log" 2>&1 &
  echo $! >"$work/a2.pid"
  echo "  restarted it at $(date +%T)"
) &
killer=$!
echo "round 2, one replica killed and restarted: $(load)"
wait "$killer"  # not a bare wait: the replicas are children of this shell too
pids+=("$(cat "$work/a2.pid")")
by_replica
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
