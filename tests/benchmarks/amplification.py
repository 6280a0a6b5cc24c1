#!/usr/bin/env python3
"""Read amplification run: an embedded silo holding a corpus, four clients sending the most expensive anonymous search
the default limits allow (64 hybrid questions, k = 31, ef = 4096) back to back, and one client sending small searches.

Reports the small searches' p50/p99 (the target: p99 <= 1 s with four worst-case requests in flight), the largest
answer any request got (the target: <= 10 MB), how the expensive requests were answered (200, 429 overloaded, ...),
and whether any 200 came after the search deadline (the target: none).

Loopback only, Python standard library only.
    dotnet build src/DprCluster.Cli -c Release
    /usr/bin/python3 tests/benchmarks/amplification.py [--corpus ../shared/data/scifact] [--seconds 60]
"""
import argparse
import http.client
import json
import os
import subprocess
import tempfile
import threading
import time

from loopback import CLI_DLL, ROOT, free_ports  # (tests/benchmarks/loopback.py)

parser = argparse.ArgumentParser()
parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "data", "scifact"))
parser.add_argument("--seconds", type=float, default=60)
parser.add_argument("--dll", default=CLI_DLL)
args = parser.parse_args()

api_port, silo_port = free_ports(2)
data = tempfile.mkdtemp(prefix="dprcluster-amplification-")
log = open(os.path.join(tempfile.gettempdir(), "dprcluster-amplification-silo.log"), "w")
url = f"http://127.0.0.1:{api_port}"
silo = subprocess.Popen(["dotnet", args.dll, "serve", "--data", data, "--encoder", "static", "--api-url", url,
                         "--silo-port", str(silo_port)], stdout=log, stderr=subprocess.STDOUT)


def post(path, body, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=timeout)
    try:
        started = time.time()
        conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        return response.status, payload, time.time() - started
    finally:
        conn.close()


try:
    end = time.time() + 120
    while time.time() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    subprocess.run(["dotnet", args.dll, "ingest", args.corpus, "--url", url], check=True, stdout=subprocess.DEVNULL)

    questions = [f"effects of protein {i} on cell growth and disease" for i in range(64)]
    worst = {"queries": questions, "k": 31, "mode": "hybrid", "ef": 4096}
    stop = threading.Event()
    outcomes = {}
    largest = [0]
    late_ok = [0]

    def expensive():
        while not stop.is_set():
            status, payload, seconds = post("/v1/search", worst)
            largest[0] = max(largest[0], len(payload))
            code = "200" if status == 200 else json.loads(payload).get("code", str(status))
            outcomes[code] = outcomes.get(code, 0) + 1
            if status == 200 and seconds > 10.0:
                late_ok[0] += 1
            if status == 429:
                time.sleep(1.0)  # what Retry-After asks for

    threads = [threading.Thread(target=expensive, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    latencies = []
    finish = time.time() + args.seconds
    while time.time() < finish:
        status, payload, seconds = post("/v1/search", {"query": "vitamin D and bone density", "k": 10})
        largest[0] = max(largest[0], len(payload))
        if status == 200:
            latencies.append(seconds)
    stop.set()
    for thread in threads:
        thread.join(120)
    latencies.sort()
    pick = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
    print(f"small searches: {len(latencies)}, p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms (four worst-case clients running)")
    print(f"worst-case requests answered: {outcomes}")
    print(f"largest answer: {largest[0] / 1e6:.2f} MB; 200s after the 10 s deadline: {late_ok[0]}")
finally:
    silo.terminate()
    try:
        silo.wait(60)
    except subprocess.TimeoutExpired:
        silo.kill()
