#!/usr/bin/env python3
"""Scatter/gather cost of mutual TLS between silos, side by side: the same 4-shard data served by the same
multi-process cluster (a gateway with the encoder role and 4 shard silos, R = 1, joined through a Redis it starts),
once in plaintext and once with Cluster:Tls on (certificates from `dprcluster certs`), alternating rounds so machine
load hits both alike. Reports p50 and p90 of the gateway's fan-out time (timings.shards_ms: until the last shard
answered) and of the whole request, and the TLS / plaintext ratio of the p50s.

Loopback only, Python standard library only.
    dotnet build src/DprCluster.Cli -c Release
    /usr/bin/python3 tests/benchmarks/tls_overhead.py --count 20000 --searches 400 --rounds 2
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from loopback import CLI_DLL as DLL, free_ports, http_request, new_cluster_id, silo_settings, start_redis  # noqa: E402
from sharded_search import embedded, run, serve, stop  # noqa: E402

WORDS = ["river", "mountain", "protein", "cell", "climate", "virus", "ocean", "energy", "memory", "language"]


def cluster(work, tag, data, redis_port, tls_directory):
    ports = free_ports(10)
    names = [f"shard-{i}" for i in range(4)]
    cluster_id = new_cluster_id()
    extra = {}
    if tls_directory:
        extra = {"Cluster": {"Tls": {"Enabled": True, "CertificatePath": os.path.join(tls_directory, "tls.crt"),
                                     "KeyPath": os.path.join(tls_directory, "tls.key"),
                                     "CaPath": os.path.join(tls_directory, "ca.crt")}}}
    processes = []
    for i in range(4):
        processes.append(serve(work, f"{tag}-{names[i]}", silo_settings(names[i], "shard", ports[2 + 2 * i], ports[3 + 2 * i], data,
                                                                         names, 4, 1, redis_port, cluster_id, index=i, extra=extra)))
    processes.append(serve(work, f"{tag}-gateway", silo_settings("gateway", "gateway,encoder", ports[0], ports[1],
                                                                 os.path.join(work, f"{tag}-gateway"), names, 4, 1, redis_port,
                                                                 cluster_id, extra=extra)))
    return processes, ports[0]


def measure(port, searches):
    fan_out, total = [], []
    for i in range(searches + 20):
        query = f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7) % len(WORDS)]} {i}"
        started = time.perf_counter()
        status, body = http_request(port, "POST", "/v1/search", {"query": query, "k": 10, "mode": "dense"})
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            sys.exit(f"search answered {status}: {body[:300]}")
        answer = json.loads(body)
        if answer["partial"]:
            sys.exit("a search was partial: some shard did not answer")
        if i >= 20:  # the first searches warm connections and code paths
            fan_out.append(answer["timings"]["shards_ms"])
            total.append(elapsed)
    return fan_out, total


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000, help="passages (make_passages.py)")
    parser.add_argument("--searches", type=int, default=400, help="sequential searches per round and mode")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="dprcluster-tls-")
    redis = None
    processes = []
    try:
        corpus = os.path.join(work, "passages.jsonl")
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "make_passages.py"),
                        "--count", str(args.count), "--out", corpus], check=True)
        data = os.path.join(work, "data-4")
        process, url = embedded(work, "ingest", 4, data)
        run(["ingest", corpus, "--url", url, "--batch", "256", "--concurrency", "2"])
        stop(process)
        tls_directory = os.path.join(work, "certs")
        run(["certs", "--out", tls_directory])
        redis, redis_port = start_redis(work)
        results = {"plaintext": ([], []), "tls": ([], [])}
        for round_number in range(args.rounds):
            for mode in ("plaintext", "tls"):
                copy = os.path.join(work, f"data-{mode}-{round_number}")
                shutil.copytree(data, copy)
                processes, port = cluster(work, f"{mode}-{round_number}", copy, redis_port, tls_directory if mode == "tls" else None)
                fan_out, total = measure(port, args.searches)
                results[mode][0].extend(fan_out)
                results[mode][1].extend(total)
                for silo in processes:
                    stop(silo)
                processes = []
                print(f"round {round_number + 1} {mode}: fan-out p50 {statistics.median(fan_out):.3f} ms", flush=True)
        print(f"\n{args.count} passages, 4 shard silos + gateway, {args.rounds} x {args.searches} sequential dense searches per mode")
        print(f"{'mode':<10} {'fan-out p50':>12} {'fan-out p90':>12} {'request p50':>12} {'request p90':>12}")
        for mode, (fan_out, total) in results.items():
            print(f"{mode:<10} {percentile(fan_out, 0.5):>9.3f} ms {percentile(fan_out, 0.9):>9.3f} ms "
                  f"{percentile(total, 0.5):>9.3f} ms {percentile(total, 0.9):>9.3f} ms")
        ratio = percentile(results["tls"][0], 0.5) / percentile(results["plaintext"][0], 0.5)
        print(f"TLS / plaintext fan-out p50: {ratio:.2f}x")
    finally:
        for process in processes + ([redis] if redis else []):
            if process.poll() is None:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
