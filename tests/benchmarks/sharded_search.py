#!/usr/bin/env python3
"""Side-by-side search benchmark of the cluster: ingest through the REST API, 1 shard vs 4 shards, sharded recall,
and the scatter/gather overhead of Orleans between silos. Loopback only; bounded by --duration and --count.

1. Writes --count passages (make_passages.py) unless --corpus is given.
2. Ingests them through the API into a 1-shard and a 4-shard embedded silo (static encoder), printing passages/s.
3. Starts a multi-process cluster over the 4-shard data, joined through a Redis it starts: a gateway with the encoder
   role and 4 shard silos (R = 1).
4. Runs `dprcluster bench search` twice, each printing one table:
   a. REST against the multi-process cluster and in-process over a copy of the same 4 shards, with recall@10 of both
      against the 1-shard copy (same vectors, same ef) and against exact brute-force search over the corpus (as is
      the 1-shard copy's): the took_ms difference is the scatter/gather overhead;
   b. in-process 1 shard vs 4 shards under concurrent load (QPS).

    dotnet build src/DprCluster.Cli -c Release
    python3 tests/benchmarks/sharded_search.py --count 200000 --duration 10
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from loopback import (CLI_DLL as DLL, ROOT, SHARED_DATA, free_ports, new_cluster_id, silo_settings,  # noqa: E402
                      start_redis)  # (tests/benchmarks/loopback.py)

QUERIES = os.path.join(SHARED_DATA, "scifact")


def serve(work, name, settings):
    path = os.path.join(work, name + ".json")
    with open(path, "w") as f:
        json.dump(settings, f)
    log = open(os.path.join(work, name + ".log"), "wb")
    process = subprocess.Popen(["dotnet", DLL, "serve", "--config", path], stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ, DOTNET_gcServer="0"))
    api = int(settings["Silo"]["ApiUrl"].rsplit(":", 1)[1])
    end = time.monotonic() + 300
    while time.monotonic() < end:
        if process.poll() is not None:
            sys.exit(f"{name} exited; see {work}/{name}.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", api, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"{name} did not become ready")


def stop(process):
    process.terminate()
    process.wait(60)


def embedded(work, name, shards, data):
    api, silo_port = free_ports(2)
    settings = {"Silo": {"Roles": "all", "Name": name, "ApiUrl": f"http://127.0.0.1:{api}",
                         "SiloPort": silo_port, "DataDirectory": data},
                "Cluster": {"ShardCount": shards}, "Logging": {"LogLevel": {"Default": "Warning"}},
                # The same small static encoder as the cluster's silos (loopback.silo_settings), so the data fits both.
                "Encoder": {"Model": "static"}}
    return serve(work, name, settings), f"http://127.0.0.1:{api}"


def run(arguments):
    print("$ dprcluster " + " ".join(arguments), flush=True)
    subprocess.run(["dotnet", DLL] + arguments, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--corpus")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4, help="clients for the 1-vs-4 shard throughput run")
    parser.add_argument("--work", help="working directory (default: a new temporary one, removed afterwards)")
    args = parser.parse_args()
    if not 1 <= args.count <= 1_000_000 or not 1 <= args.duration <= 120:
        sys.exit("--count in [1, 1000000], --duration in [1, 120]")
    work = args.work or tempfile.mkdtemp(prefix="dprcluster-bench-")
    os.makedirs(work, exist_ok=True)
    processes = []
    redis = None
    try:
        corpus = args.corpus or os.path.join(work, "passages.jsonl")
        if not args.corpus:
            subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "make_passages.py"),
                            "--count", str(args.count), "--out", corpus], check=True)
        data = {}
        for shards in (1, 4):
            data[shards] = os.path.join(work, f"data-{shards}")
            process, url = embedded(work, f"ingest-{shards}", shards, data[shards])
            run(["ingest", corpus, "--url", url, "--batch", "256", "--concurrency", "4"])
            stop(process)
            shutil.copytree(data[shards], data[shards] + "-copy")

        redis, redis_port = start_redis(work)
        ports = free_ports(10)
        names = [f"shard-{i}" for i in range(4)]
        cluster_id = new_cluster_id()
        for i in range(4):
            processes.append(serve(work, names[i], silo_settings(names[i], "shard", ports[2 + 2 * i], ports[3 + 2 * i], data[4],
                                                                 names, 4, 1, redis_port, cluster_id, index=i)))
        processes.append(serve(work, "gateway", silo_settings("gateway", "gateway,encoder", ports[0], ports[1],
                                                              os.path.join(work, "gateway"), names, 4, 1, redis_port, cluster_id)))
        duration = str(args.duration)
        run(["bench", "search", "--url", f"http://127.0.0.1:{ports[0]}", "--data", data[4] + "-copy", "--shards", "4",
             "--baseline-data", data[1] + "-copy", "--baseline-shards", "1", "--truth-corpus", corpus, "--queries", QUERIES,
             "--concurrency", "1", "--duration", duration])
        # Silos first: leaving the cluster gracefully needs the membership store.
        for process in processes:
            stop(process)
        processes.clear()
        stop(redis)
        for shards in (1, 4):
            run(["bench", "search", "--data", data[shards] + "-copy", "--shards", str(shards), "--queries", QUERIES,
                 "--concurrency", str(args.concurrency), "--duration", duration])
    finally:
        for process in processes + ([redis] if redis else []):
            if process.poll() is None:
                process.kill()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
