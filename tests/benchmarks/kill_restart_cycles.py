#!/usr/bin/env python3
"""Fault test: repeated kill -9 / restart of shard silos during a continuous ingest; counts lost acknowledged writes.

Starts a real Orleans cluster on loopback joined through a Redis it starts (a gateway with the encoder role on the
static encoder, and 3 shard silos holding 6 shards with replication 2), keeps one writer posting 16-passage batches through the REST API, and for each cycle
SIGKILLs a random shard silo mid-ingest, lets writes fail against it, restarts it and waits for /readyz. At the end it
stops each shard silo in turn and reads every acknowledged passage through the gateway, so every replica of every
shard is read once while its partner is down. Prints the count of lost acknowledged writes (should be 0) and of
recoveries that did not come back to serving (corruption).

Bounded: --cycles <= 200 and --max-seconds (default 900). Loopback only. Python standard library only.

    dotnet build src/DprCluster.Cli -c Release
    python3 tests/benchmarks/kill_restart_cycles.py --cycles 50
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from loopback import (CLI_DLL as DEFAULT_DLL, ROOT, free_ports, new_cluster_id, silo_settings,  # noqa: E402
                      start_redis)  # (tests/benchmarks/loopback.py)
SHARDS, SHARD_SILOS, REPLICATION, BATCH = 6, 3, 2, 16
WORDS = ["river", "mountain", "temple", "glacier", "harbour", "desert", "forest", "castle", "island", "canyon",
         "volcano", "bridge", "library", "market", "observatory", "lighthouse", "meadow", "valley", "reef", "plateau"]


class Silo:
    def __init__(self, name, config_path, api_port, dll, log_dir):
        self.name, self.config_path, self.api_port, self.dll = name, config_path, api_port, dll
        self.log_path = os.path.join(log_dir, name + ".log")
        self.process = None

    def start(self):
        log = open(self.log_path, "ab")
        env = dict(os.environ, DOTNET_gcServer="0")
        self.process = subprocess.Popen(["dotnet", self.dll, "serve", "--config", self.config_path],
                                        stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()

    def kill(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def ready(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.api_port, timeout=2)
            conn.request("GET", "/readyz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def wait_ready(self, deadline_s):
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            if self.ready():
                return True
            time.sleep(0.05)
        return False


class Writer(threading.Thread):
    """Posts batches until stopped; remembers what the gateway acknowledged."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.acked = {}
        self.acked_batches = 0
        self.refused_batches = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        seq = 0
        while not self.stop.is_set():
            batch = []
            for i in range(BATCH):
                pid = f"p{seq}-{i}"
                batch.append({"id": pid, "title": WORDS[(seq + i) % len(WORDS)],
                              "text": f"Passage {pid} about a {WORDS[i % len(WORDS)]} near a {WORDS[(seq * 7 + i) % len(WORDS)]}."})
            seq += 1
            body = json.dumps({"passages": batch})
            try:
                conn.request("POST", "/v1/passages", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = 0
            with self.lock:
                if status == 200:
                    for p in batch:
                        self.acked[p["id"]] = p["text"]
                    self.acked_batches += 1
                else:
                    self.refused_batches += 1
        conn.close()

    def counts(self):
        with self.lock:
            return self.acked_batches, self.refused_batches


def wait_for(condition, deadline_s):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--dll", default=DEFAULT_DLL)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--keep", action="store_true", help="keep the data and logs")
    args = parser.parse_args()
    if not 1 <= args.cycles <= 200:
        sys.exit("--cycles must be in [1, 200]")
    if not os.path.exists(args.dll):
        sys.exit(f"{args.dll} is missing: dotnet build src/DprCluster.Cli -c Release")
    random.seed(args.seed)
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="dprcluster-faults-")
    ports = free_ports(2 * (SHARD_SILOS + 1))
    redis, redis_port = start_redis(work)
    names = [f"shard-{i}" for i in range(SHARD_SILOS)]
    cluster_id = new_cluster_id()

    def config(name, roles, api, silo_port, index=None):
        document = silo_settings(name, roles, api, silo_port, os.path.join(work, name), names, SHARDS, REPLICATION, redis_port,
                                 cluster_id, index=index, extra={"Shard": {"SnapshotEveryRecords": 500}})
        path = os.path.join(work, name + ".json")
        with open(path, "w") as f:
            json.dump(document, f)
        return Silo(name, path, api, args.dll, work)

    gateway = config("gateway", "gateway,encoder", ports[0], ports[1])
    shards = [config(f"shard-{i}", "shard", ports[2 + 2 * i], ports[3 + 2 * i], i) for i in range(SHARD_SILOS)]
    silos = shards + [gateway]
    failed_recoveries = 0
    writer = Writer(ports[0])
    try:
        for silo in silos:
            silo.start()
        for silo in silos:
            if not silo.wait_ready(120):
                sys.exit(f"{silo.name} did not become ready; see {silo.log_path}")
        writer.start()
        for cycle in range(1, args.cycles + 1):
            if time.monotonic() - started > args.max_seconds:
                print(f"stopping after {cycle - 1} cycles: --max-seconds reached")
                break
            acked_before, _ = writer.counts()
            wait_for(lambda: writer.counts()[0] >= acked_before + 2, 30)
            victim = random.choice(shards)
            time.sleep(random.uniform(0, 0.05))  # land the kill at a random point inside a write
            victim.kill()
            _, refused_before = writer.counts()
            wait_for(lambda: writer.counts()[1] > refused_before, 5)
            victim.start()
            if not victim.wait_ready(60):
                failed_recoveries += 1
                print(f"cycle {cycle}: {victim.name} did not recover to serving; see {victim.log_path}")
                victim.kill()
                victim.start()
                victim.wait_ready(60)
            acked, refused = writer.counts()
            print(f"cycle {cycle:3d}: killed {victim.name}; acknowledged batches {acked}, refused {refused}", flush=True)
        writer.stop.set()
        writer.join()

        lost = set()
        for down in shards:
            down.kill()
            conn = http.client.HTTPConnection("127.0.0.1", gateway.api_port, timeout=30)
            for pid, text in writer.acked.items():
                conn.request("GET", f"/v1/passages/{pid}")
                response = conn.getresponse()
                body = response.read()
                if response.status != 200 or json.loads(body)["text"] != text:
                    lost.add((pid, down.name))
            conn.close()
            down.start()
            if not down.wait_ready(60):
                failed_recoveries += 1
        acked, refused = writer.counts()
        print(f"{args.cycles} kill -9 / restart cycles in {time.monotonic() - started:.0f} s: {len(writer.acked)} acknowledged "
              f"passages ({acked} batches), {refused} batches refused while a replica was down")
        print(f"lost acknowledged writes: {len(lost)}")
        print(f"recoveries that did not return to serving: {failed_recoveries}")
        for pid, down in sorted(lost)[:20]:
            print(f"  missing {pid} (read while {down} was down)")
        return 1 if lost or failed_recoveries else 0
    finally:
        writer.stop.set()
        for silo in silos:
            silo.kill()
        redis.kill()
        if args.keep:
            print(f"data and logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
