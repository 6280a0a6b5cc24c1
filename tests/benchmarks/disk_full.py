#!/usr/bin/env python3
"""Disk-full run: an embedded silo whose data directory is a small tmpfs, searched continuously while a writer
ingests until the disk is full, then space is freed.

Reports: searches answered and how many were partial or failed (the target: all answered, none partial), the codes
writes were refused with (the target: insufficient_storage), how long after space returned writes were accepted again
(the target: <= 5 s), and after a restart how many acknowledged passages are missing (the target: 0).

Needs root (it mounts a tmpfs). Loopback only, Python standard library only.
    dotnet build src/DprCluster.Cli -c Release
    sudo /usr/bin/python3 tests/benchmarks/disk_full.py [--size-mb 64] [--dll PATH]
"""
import argparse
import json
import os
import subprocess
import tempfile
import threading
import time

from loopback import CLI_DLL, free_ports, http_request  # (tests/benchmarks/loopback.py)

parser = argparse.ArgumentParser()
parser.add_argument("--size-mb", type=int, default=64)
parser.add_argument("--dll", default=CLI_DLL)
parser.add_argument("--max-seconds", type=float, default=600)
args = parser.parse_args()

api_port, silo_port = free_ports(2)
mount = tempfile.mkdtemp(prefix="dprcluster-diskfull-")
subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.size_mb}m", "tmpfs", mount], check=True)
data = os.path.join(mount, "data")
log = open(os.path.join(tempfile.gettempdir(), "dprcluster-diskfull-silo.log"), "w")


def start():
    return subprocess.Popen(["dotnet", args.dll, "serve", "--data", data, "--encoder", "static",
                             "--api-url", f"http://127.0.0.1:{api_port}", "--silo-port", str(silo_port)],
                            stdout=log, stderr=subprocess.STDOUT)


def request(method, path, body=None, timeout=30):
    return http_request(api_port, method, path, body, timeout)


def wait_ready(deadline=120):
    end = time.time() + deadline
    while time.time() < end:
        try:
            if request("GET", "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the silo did not become ready")


searches = {"total": 0, "partial": 0, "failed": 0}
stop = threading.Event()


def search_loop():
    while not stop.is_set():
        try:
            status, body = request("POST", "/v1/search", {"query": "kelp forests and tide pools", "k": 5}, timeout=15)
            searches["total"] += 1
            if status != 200:
                searches["failed"] += 1
            elif json.loads(body)["partial"]:
                searches["partial"] += 1
        except OSError:
            searches["total"] += 1
            searches["failed"] += 1


def batch(start_id, count=20):
    text = "tide pool kelp anemone " * 40
    return {"passages": [{"id": f"p{start_id + i}", "title": f"Passage {start_id + i}", "text": f"{text} {start_id + i}"}
                         for i in range(count)]}


silo = start()
acknowledged = []
refusals = {}
try:
    wait_ready()
    # Fill the disk to a few MiB short of full, so the run reaches ENOSPC in seconds.
    stats = os.statvfs(mount)
    filler = os.path.join(mount, "filler")
    with open(filler, "wb") as out:
        out.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - 6 * 1024 * 1024))
    searcher = threading.Thread(target=search_loop, daemon=True)
    searcher.start()
    next_id = 0
    started = time.time()
    consecutive = 0
    while consecutive < 5 and time.time() - started < args.max_seconds:
        status, body = request("POST", "/v1/passages", batch(next_id))
        if status == 200:
            acknowledged.extend(f"p{next_id + i}" for i in range(20))
            consecutive = 0
        else:
            code = json.loads(body).get("code", str(status))
            refusals[code] = refusals.get(code, 0) + 1
            consecutive += 1
        next_id += 20
    full_at = len(acknowledged)
    os.remove(filler)
    freed = time.time()
    while True:
        status, _ = request("POST", "/v1/passages", batch(next_id))
        if status == 200:
            resumed = time.time() - freed
            acknowledged.extend(f"p{next_id + i}" for i in range(20))
            next_id += 20
            break
        time.sleep(0.1)
    for _ in range(5):
        if request("POST", "/v1/passages", batch(next_id))[0] == 200:
            acknowledged.extend(f"p{next_id + i}" for i in range(20))
        next_id += 20
    stop.set()
    searcher.join()
    silo.terminate()
    silo.wait(60)
    silo = start()
    wait_ready()
    lost = sum(1 for pid in acknowledged if request("GET", f"/v1/passages/{pid}")[0] != 200)
    print(f"tmpfs {args.size_mb} MiB; {full_at} passages acknowledged before the disk filled, {len(acknowledged)} in all")
    print(f"searches: {searches['total']} answered during the run, {searches['partial']} partial, {searches['failed']} failed")
    print(f"writes refused while full: {refusals}")
    print(f"writes accepted again {resumed:.2f} s after space was freed")
    print(f"after a restart: {lost} of {len(acknowledged)} acknowledged passages missing")
finally:
    stop.set()
    silo.terminate()
    try:
        silo.wait(60)
    except subprocess.TimeoutExpired:
        silo.kill()
    subprocess.run(["umount", mount], check=False)
    os.rmdir(mount)
