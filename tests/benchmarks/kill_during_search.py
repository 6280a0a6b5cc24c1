#!/usr/bin/env python3
"""Fault benchmark: kill -9 one shard silo during a bounded search load and measure what the searches saw.

Starts an Orleans cluster on loopback joined through a Redis it starts (a gateway with the encoder role on the static
encoder, 3 shard silos holding 6 shards with replication 2, per-replica deadline --deadline-ms), ingests the sample
corpus, runs --clients search loops for --warmup seconds, SIGKILLs shard-1, keeps searching for --seconds, and
prints: searches before and after the kill, how many were partial or failed, the slowest search in the window after
the kill against the per-replica deadline, and how long membership took to declare the silo dead (polled through
GET /v1/cluster). Every search after the kill should be complete (R = 2) and none slower than 2x the deadline.

    dotnet build src/DprCluster.Cli -c Release
    python3 tests/benchmarks/kill_during_search.py --seconds 10
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from loopback import (CLI_DLL as DLL, ROOT, free_ports, new_cluster_id, silo_settings,  # noqa: E402
                      start_redis)  # (tests/benchmarks/loopback.py)

SHARDS, SHARD_SILOS, REPLICATION = 6, 3, 2
QUESTIONS = ["What is the tallest mountain in the world?", "largest hot desert", "Who painted the Mona Lisa?",
             "fastest land animal", "Which river carries the most water?", "ancient wonders of the world"]


def start(work, name, settings):
    path = os.path.join(work, name + ".json")
    with open(path, "w") as f:
        json.dump(settings, f)
    log = open(os.path.join(work, name + ".log"), "wb")
    return subprocess.Popen(["dotnet", DLL, "serve", "--config", path], stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, DOTNET_gcServer="0"))


def get(port, path, timeout=5):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_ready(port, process, seconds=180):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            sys.exit(f"a silo exited with {process.returncode}")
        try:
            if get(port, "/readyz", 2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("a silo did not become ready")


class Searcher(threading.Thread):
    def __init__(self, port, index, stop):
        super().__init__(daemon=True)
        self.port, self.index, self.stop = port, index, stop
        self.samples = []  # (start monotonic, seconds, outcome)

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        i = self.index
        while not self.stop.is_set():
            body = json.dumps({"query": QUESTIONS[i % len(QUESTIONS)], "k": 5, "mode": "hybrid"})
            i += 1
            began = time.monotonic()
            try:
                conn.request("POST", "/v1/search", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                payload = response.read()
                outcome = ("partial" if json.loads(payload)["partial"] else "complete") if response.status == 200 \
                    else f"http {response.status}"
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                outcome = f"error {type(e).__name__}"
            self.samples.append((began, time.monotonic() - began, outcome))
        conn.close()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="search window after the kill")
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--deadline-ms", type=int, default=500, help="Coordinator:ShardTimeout, the per-replica deadline")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 120 or not 0 <= args.warmup <= 120 or not 1 <= args.clients <= 32:
        sys.exit("--seconds in [1, 120], --warmup in [0, 120], --clients in [1, 32]")
    work = tempfile.mkdtemp(prefix="dprcluster-kill-search-")
    processes = []
    try:
        redis, redis_port = start_redis(work)
        processes.append(redis)
        ports = free_ports(2 * (SHARD_SILOS + 1))
        names = [f"shard-{i}" for i in range(SHARD_SILOS)]
        cluster_id = new_cluster_id()
        extra = {"Coordinator": {"ShardTimeout": f"00:00:00.{args.deadline_ms:03d}" if args.deadline_ms < 1000
                                 else time.strftime("%H:%M:%S", time.gmtime(args.deadline_ms / 1000))}}
        silos = {}
        for i, name in enumerate(names):
            silos[name] = (start(work, name, silo_settings(name, "shard", ports[2 + 2 * i], ports[3 + 2 * i], os.path.join(work, name),
                                                           names, SHARDS, REPLICATION, redis_port, cluster_id, index=i, extra=extra)),
                           ports[2 + 2 * i])
        gateway = start(work, "gateway", silo_settings("gateway", "gateway,encoder", ports[0], ports[1], os.path.join(work, "gateway"),
                                                       names, SHARDS, REPLICATION, redis_port, cluster_id, extra=extra))
        processes += [p for p, _ in silos.values()] + [gateway]
        for process, port in list(silos.values()) + [(gateway, ports[0])]:
            wait_ready(port, process)
        subprocess.run(["dotnet", DLL, "ingest", os.path.join(ROOT, "src", "DprCluster.Cli", "Resources", "sample-corpus.jsonl"),
                        "--url", f"http://127.0.0.1:{ports[0]}"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        stop = threading.Event()
        searchers = [Searcher(ports[0], i, stop) for i in range(args.clients)]
        for s in searchers:
            s.start()
        time.sleep(args.warmup)
        victim, _ = silos["shard-1"]
        killed = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)
        detected = None
        while time.monotonic() - killed < args.seconds:
            if detected is None:
                try:
                    status, body = get(ports[0], "/v1/cluster")
                    if status == 200 and all(s["name"] != "shard-1" for s in json.loads(body)["silos"]):
                        detected = time.monotonic() - killed
                except OSError:
                    pass
            time.sleep(0.05)
        stop.set()
        for s in searchers:
            s.join()

        samples = [sample for s in searchers for sample in s.samples]
        before = [x for x in samples if x[0] < killed]
        after = [x for x in samples if x[0] >= killed]
        # Searches in flight at the kill count as after: they are the ones the kill could hit.
        after += [x for x in before if x[0] + x[1] > killed]
        before = [x for x in before if x[0] + x[1] <= killed]
        deadline = args.deadline_ms / 1000

        def row(label, group):
            latencies = [x[1] * 1000 for x in group]
            bad = [x[2] for x in group if x[2] != "complete"]
            print(f"| {label} | {len(group)} | {len(bad)} | {percentile(latencies, 50):.2f} | {percentile(latencies, 99):.2f} | "
                  f"{max(latencies) if latencies else float('nan'):.1f} |")
            return bad, latencies

        print(f"kill -9 of shard-1 during {args.clients} hybrid search loops; 6 shards, R = 2, per-replica deadline {args.deadline_ms} ms")
        print("| window | searches | partial or failed | p50 ms | p99 ms | slowest ms |")
        print("|---|---|---|---|---|---|")
        row(f"{args.warmup:.0f} s before the kill", before)
        bad, latencies = row(f"{args.seconds:.0f} s after the kill", after)
        slowest = max(latencies) / 1000 if latencies else float("nan")
        print(f"membership declared shard-1 dead after: {'not within the window' if detected is None else f'{detected:.2f} s'}")
        print(f"slowest search after the kill: {slowest * 1000:.1f} ms = {slowest / deadline:.2f}x the per-replica deadline")
        if bad:
            print("outcomes other than complete after the kill: " + ", ".join(sorted(set(bad))))
        return 0 if not bad and slowest <= 2 * deadline else 1
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
