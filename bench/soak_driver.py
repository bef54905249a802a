#!/usr/bin/env python3
"""Soak driver for `blastscan serve` (run by bench/soak.sh; standard library only).

CONNECTIONS client threads hammer one server for SECONDS with a mix of requests: good images
(raw body and multipart; each answer compared with the reference `blastscan classify` gave for
the same file), corrupt images, oversized bodies, malformed HTTP (garbage, bad chunked
framing, a gzip bomb, invalid UTF-8 and CR/LF in the path), and slow clients sending one
byte per second. A monitor samples the server's resident memory and open file descriptors.

Pass/fail (exit status 1 on any failure): the server never dies; every good request gets
200 with the reference class (confidence within 1e-4); every bad request gets a 4xx (never
a 5xx or a dropped connection without an answer, except slow clients, which the server must
cut off within its request timeout); no good request waits longer than the read timeout plus a margin while slow
clients are connected; RSS after warm-up (the first 20% of the time) stays within 10% of
its first sample; open fds, idle after the load, are no more than idle before it.
"""
import argparse
import gzip
import json
import os
import random
import socket
import threading
import time

GOOD_MARGIN_S = 5.0  # allowed beyond the read timeout for a good request (network pass, queueing)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--slow", type=int, default=3, help="of the connections, how many are slow clients")
    p.add_argument("--read-timeout", type=float, default=10)
    p.add_argument("--request-timeout", type=float, default=60, help="the server's --request-timeout")
    p.add_argument("--max-body", type=int, required=True, help="the server's body limit in bytes")
    p.add_argument("--reference", required=True, help="classify --format json output for the good images")
    p.add_argument("--corrupt", nargs="*", default=[], help="files that are not images")
    p.add_argument("--json-out", help="write the figures here")
    return p.parse_args()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.failures = []
        self.good_latencies = []

    def count(self, kind, status):
        with self.lock:
            self.counts.setdefault(kind, {}).setdefault(str(status), 0)
            self.counts[kind][str(status)] += 1

    def fail(self, message):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(message)


def exchange(port, data, timeout=60.0, trickle=None, deadline=None):
    """Sends bytes (one every `trickle` seconds, until `deadline`), reads the answer until the
    server closes; returns (status or None, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if trickle:
            for b in data:
                if time.time() > deadline:
                    return "held", b""
                s.sendall(bytes([b]))
                time.sleep(trickle)
        else:
            s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        chunks = chunks if "chunks" in locals() else []
    finally:
        s.close()
    raw = b"".join(chunks)
    if not raw.startswith(b"HTTP/1."):
        return None, raw
    status = int(raw[9:12])
    body = raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""
    return status, body


def request(path, body=b"", headers=(), method="POST"):
    head = f"{method} {path} HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n"
    head += "".join(h + "\r\n" for h in headers)
    if method == "POST" and not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def multipart(name, data):
    boundary = "soak" + "%08x" % random.getrandbits(32)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return request("/Inference", body, [f"Content-Type: multipart/form-data; boundary={boundary}"])


class Mix:
    """The request kinds and what a correct answer to each is."""

    def __init__(self, args, good, corrupt):
        self.args, self.good, self.corrupt = args, good, corrupt
        bomb = gzip.compress(b"\0" * (64 << 20))  # 64 MiB of zeros in ~64 KB
        self.kinds = [  # (weight, name, make request bytes, expected statuses)
            (45, "good_raw", lambda g: request("/Inference", g[1], ["Content-Type: image/jpeg"]), {200}),
            (15, "good_multipart", lambda g: multipart(os.path.basename(g[0]), g[1]), {200}),
            (10, "corrupt", lambda g: request("/Inference", random.choice(self.corrupt)), {400}),
            (3, "oversized", lambda g: request("/Inference", b"\xff" * (args.max_body + 1)), {413, 400}),
            (3, "gzip_bomb", lambda g: request("/Inference", bomb, ["Content-Encoding: gzip"]), {400, 413, 415}),
            (5, "garbage", lambda g: os.urandom(random.randint(1, 300)) + b"\r\n\r\n", {400, 404, 405, 414, None}),
            (4, "bad_chunked", lambda g: request("/Inference", b"zz\r\nabc\r\n0\r\n\r\n",
                                                  ["Transfer-Encoding: chunked"]), {400}),
            (5, "bad_path", lambda g: f"GET /%ff%0d%0aX-Injected:%20{random.randint(0, 9)} HTTP/1.1\r\n"
                                      f"Host: soak\r\nConnection: close\r\n\r\n".encode(), {404}),
            (5, "health", lambda g: request("/health", method="GET"), {200}),
            (5, "model", lambda g: request("/model", method="GET"), {200}),
        ]
        self.total = sum(k[0] for k in self.kinds)

    def pick(self):
        r = random.uniform(0, self.total)
        for kind in self.kinds:
            r -= kind[0]
            if r <= 0:
                return kind
        return self.kinds[-1]


def client(args, mix, stats, deadline, slow_active):
    while time.time() < deadline:
        weight, name, make, expected = mix.pick()
        good = random.choice(mix.good)
        start = time.time()
        try:
            status, body = exchange(args.port, make(good))
        except OSError as e:
            status, body = None, str(e).encode()
        elapsed = time.time() - start
        stats.count(name, status)
        if status not in expected:
            stats.fail(f"{name}: status {status}, expected {sorted(map(str, expected))}: {body[:200]!r}")
            continue
        if name.startswith("good"):
            with stats.lock:
                stats.good_latencies.append(elapsed)
            if slow_active.is_set() and elapsed > args.read_timeout + GOOD_MARGIN_S:
                stats.fail(f"{name}: {elapsed:.1f} s beside slow clients (read timeout {args.read_timeout} s)")
            answer = json.loads(body)
            ref = good[2]
            if answer.get("label") != ref["class"] or abs(float(answer["Confidence"]) - ref["confidence"]) > 1e-4:
                stats.fail(f"{name}: wrong answer for {good[0]}: {answer.get('label')} {answer.get('Confidence')}"
                            f" vs {ref['class']} {ref['confidence']}")


def slow_client(args, stats, deadline, slow_active):
    """One byte per second of a request's headers, forever: the server must cut it off."""
    slow_active.set()
    while time.time() < deadline:
        data = b"POST /Inference HTTP/1.1\r\nHost: soak\r\nX-Slow: " + b"a" * 4096
        start = time.time()
        try:
            status, _ = exchange(args.port, data, timeout=args.read_timeout * 20, trickle=1.0, deadline=deadline)
        except OSError:
            status = None
        held = time.time() - start
        # "held": the soak ended while this one was still trickling, which is a failure only if
        # it had been connected longer than the server lets a whole request take.
        stats.count("slow", "cut" if status is None else status)
        if held > args.request_timeout + GOOD_MARGIN_S:
            stats.fail(f"a slow client stayed connected {held:.0f} s (request timeout {args.request_timeout} s)")
        with stats.lock:
            stats.counts.setdefault("slow_held_s", []).append(round(held, 1))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def monitor(args, samples, deadline):
    while time.time() < deadline:
        try:
            samples.append((time.time(), rss_kb(args.pid), len(os.listdir(f"/proc/{args.pid}/fd"))))
        except FileNotFoundError:
            samples.append((time.time(), -1, -1))
            return
        time.sleep(2)


def main():
    args = parse_args()
    with open(args.reference) as f:
        rows = json.load(f)["images"]
    good = [(r["path"], open(r["path"], "rb").read(), r) for r in rows if "class" in r]
    corrupt = [open(p, "rb").read() for p in args.corrupt] or [b"not an image at all"]
    mix = Mix(args, good, corrupt)
    stats = Stats()
    start = time.time()
    deadline = start + args.seconds
    slow_active = threading.Event()
    samples = []
    fds_idle_before = len(os.listdir(f"/proc/{args.pid}/fd"))
    threads = [threading.Thread(target=monitor, args=(args, samples, deadline))]
    threads += [threading.Thread(target=slow_client, args=(args, stats, deadline, slow_active)) for _ in range(args.slow)]
    threads += [threading.Thread(target=client, args=(args, mix, stats, deadline, slow_active))
                for _ in range(args.connections - args.slow)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Idle again: every connection closed (keep-alive and read timeouts have passed).
    fds_idle_after = -1
    for _ in range(int(args.read_timeout) + 10):
        if not os.path.exists(f"/proc/{args.pid}"):
            break
        fds_idle_after = len(os.listdir(f"/proc/{args.pid}/fd"))
        if fds_idle_after <= fds_idle_before:
            break
        time.sleep(1)

    # The figures.
    alive = os.path.exists(f"/proc/{args.pid}") and samples and samples[-1][1] > 0
    warm = [s for s in samples if s[0] - start >= 0.2 * args.seconds]
    rss = [s[1] for s in warm if s[1] > 0]
    fds = [s[2] for s in warm if s[2] >= 0]
    rss_growth = (max(rss) - rss[0]) / rss[0] if rss else None
    lat = sorted(stats.good_latencies)
    figures = {
        "seconds": args.seconds, "connections": args.connections, "slow_clients": args.slow,
        "requests": {k: v for k, v in stats.counts.items() if k != "slow_held_s"},
        "slow_held_s_max": max(stats.counts.get("slow_held_s", [0])),
        "good_latency_s": {"p50": lat[len(lat) // 2] if lat else None, "p99": lat[int(len(lat) * 0.99)] if lat else None,
                           "max": lat[-1] if lat else None},
        "rss_mb_after_warmup": {"first": rss[0] / 1024 if rss else None, "max": max(rss) / 1024 if rss else None,
                                "last": rss[-1] / 1024 if rss else None},
        "rss_growth": rss_growth,
        "open_fds": {"idle_before": fds_idle_before, "under_load_max": max(fds) if fds else None,
                     "idle_after": fds_idle_after},
        "server_alive": bool(alive),
        "failures": stats.failures,
    }
    if not alive:
        stats.failures.append("the server died")
    if rss_growth is not None and rss_growth > 0.10:
        stats.failures.append(f"RSS grew {100 * rss_growth:.1f}% after warm-up")
    if fds_idle_after > fds_idle_before:
        stats.failures.append(f"open fds: {fds_idle_before} when idle before, {fds_idle_after} when idle after")
    if len(lat) == 0:
        stats.failures.append("no good request was answered")
    figures["failures"] = stats.failures
    text = json.dumps(figures, indent=1)
    print(text)
    if args.json_out:
        with open(args.json_out, "w") as f:
            f.write(text + "\n")
    return 1 if stats.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
