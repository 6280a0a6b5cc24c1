#!/usr/bin/env python3
"""Writes beside snapshots: an embedded silo ingests passages with a snapshot due every few thousand records per shard,
and the run reports how long write requests took (p50, p99, max), how many snapshots were written, their mean
duration, and the writer's mean pause to freeze the contents for one (dprcluster_snapshot_writer_pause_seconds).
Give two builds (--dll A --dll B) to compare them side by side on the same passages.

Loopback only, Python standard library only.
    dotnet build src/DprCluster.Cli -c Release
    python3 tests/benchmarks/make_passages.py --count 60000 --out /tmp/passages-60k.jsonl
    /usr/bin/python3 tests/benchmarks/snapshot_pause.py --passages /tmp/passages-60k.jsonl [--dll OTHER/dprcluster.dll]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from loopback import CLI_DLL, free_ports, http_request  # (tests/benchmarks/loopback.py)

parser = argparse.ArgumentParser()
parser.add_argument("--passages", required=True, help="JSONL {id, title, text} (make_passages.py)")
parser.add_argument("--dll", action="append", help="dprcluster.dll to run; repeat to compare builds")
parser.add_argument("--snapshot-every", type=int, default=5000)
parser.add_argument("--batch", type=int, default=200)
parser.add_argument("--concurrency", type=int, default=2)
args = parser.parse_args()

with open(args.passages, encoding="utf-8") as f:
    passages = [json.loads(line) for line in f if line.strip()]
batches = [passages[i:i + args.batch] for i in range(0, len(passages), args.batch)]


def metric(text, name):
    """Sum over every series of one Prometheus sample name; None when absent."""
    values = [float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)]
    return sum(values) if values else None


def run(dll):
    api_port, silo_port = free_ports(2)
    data = tempfile.mkdtemp(prefix="dprcluster-snapshot-pause-")
    env = dict(os.environ, DPRCLUSTER_Shard__SnapshotEveryRecords=str(args.snapshot_every))
    log = open(os.path.join(data, "silo.log"), "w")
    silo = subprocess.Popen(["dotnet", dll, "serve", "--data", os.path.join(data, "d"), "--encoder", "static",
                             "--api-url", f"http://127.0.0.1:{api_port}", "--silo-port", str(silo_port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        end = time.time() + 180
        while True:
            try:
                if http_request(api_port, "GET", "/readyz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > end:
                raise SystemExit("the silo did not become ready")
            time.sleep(0.2)

        def write(batch):
            started = time.perf_counter()
            status, body = http_request(api_port, "POST", "/v1/passages", {"passages": batch}, timeout=300)
            if status != 200:
                raise SystemExit(f"write refused: {status} {body[:200]}")
            return time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            latencies = sorted(pool.map(write, batches))
        elapsed = time.perf_counter() - started
        # Due snapshots finish beside the writer; give the last one time to land before reading the metrics.
        time.sleep(2)
        status, body = http_request(api_port, "GET", "/metrics")
        text = body.decode()
        return {
            "passages/s": len(passages) / elapsed,
            "p50 ms": 1000 * latencies[len(latencies) // 2],
            "p99 ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "max ms": 1000 * latencies[-1],
            "snapshots": metric(text, "dprcluster_snapshot_duration_seconds_count"),
            "snapshot mean ms": ratio(metric(text, "dprcluster_snapshot_duration_seconds_sum"),
                                      metric(text, "dprcluster_snapshot_duration_seconds_count")),
            "writer pause mean ms": ratio(metric(text, "dprcluster_snapshot_writer_pause_seconds_sum"),
                                          metric(text, "dprcluster_snapshot_writer_pause_seconds_count")),
        }
    finally:
        silo.terminate()
        try:
            silo.wait(60)
        except subprocess.TimeoutExpired:
            silo.kill()
        shutil.rmtree(data, ignore_errors=True)


def ratio(total, count):
    return None if total is None or not count else 1000 * total / count


dlls = args.dll or [CLI_DLL]
results = [run(dll) for dll in dlls]
print(f"{len(passages)} passages in batches of {args.batch}, {args.concurrency} writers, static encoder, "
      f"a snapshot every {args.snapshot_every} records per shard")
print("| measure | " + " | ".join(os.path.relpath(d) for d in dlls) + " |")
print("|---|" + "---|" * len(dlls))
for key in results[0]:
    cells = ["—" if r[key] is None else f"{r[key]:.1f}" for r in results]
    print(f"| {key} | " + " | ".join(cells) + " |")
