"""Search latency with telemetry on vs off, side by side on two identical clusters.

    /usr/bin/python3 tests/DprCluster.DeploymentTests/Benchmarks/telemetry_overhead.py [--searches 1500] [--runs 3]

Each cluster is what docker-compose runs: a gateway, an encoder and three shard silos holding three shards with
replication 2, as real `dprcluster serve` processes on loopback joined through one Redis membership store (each
cluster under its own Orleans cluster id; build the CLI in Release first). Both hold the same
SciFact passages. The "on" cluster has every telemetry feature working: metrics, a /metrics scrape of every silo each
second, and every search traced (sample ratio 1) and exported over OTLP/HTTP to a local sink (the sink and the scraper
run in processes of their own, as a collector and Prometheus would). The "off" cluster runs with
DPRCLUSTER_Telemetry__Enabled=false. Both clusters are warmed with --warmup searches first: the JIT keeps tiering up
hot code for several thousand requests, longer with telemetry on, and the target is the steady state. Searches alternate between the clusters (the order flips every query) from
one client, one at a time, so both see the same machine state. Then both clusters restart on their data with the
roles swapped and are measured again, so that any difference between the two sets of processes cancels out.
Prints p50/p90/p99 client latency, the gateways' took_ms and the silos' CPU time per search for each run, and the
on/off ratio of the p50s.
"""
import argparse
import http.client
import http.server
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benchmarks"))
from loopback import CLI_DLL as CLI, ROOT, SHARED_DATA, free_ports, start_redis  # noqa: E402  (tests/benchmarks/loopback.py)

SCIFACT = os.path.join(SHARED_DATA, "scifact")


class Sink(http.server.BaseHTTPRequestHandler):
    """Accepts OTLP/HTTP exports and drops them."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Cluster:
    def __init__(self, name, telemetry, sink_port, redis_port, workdir, traces="export", sample_ratio=1.0, role=None):
        self.name = name
        # The slot measured as "on"; in an A/A control run it is a second cluster with telemetry off.
        self.role = role or ("on" if telemetry else "off")
        ports = free_ports(10)
        env = dict(os.environ)
        env.update({
            "DPRCLUSTER_Cluster__ShardCount": "3",
            "DPRCLUSTER_Cluster__ReplicationFactor": "2",
            "DPRCLUSTER_Cluster__ClusterId": f"telemetry-bench-{name}",
            "DPRCLUSTER_Cluster__Membership__Provider": "redis",
            "DPRCLUSTER_Cluster__Membership__ConnectionString": f"127.0.0.1:{redis_port}",
            "DPRCLUSTER_Silo__AdvertisedAddress": "127.0.0.1",
            "DPRCLUSTER_Encoder__Model": "static",
            "DPRCLUSTER_Encoder__Dimension": "100",
        })
        for i in range(3):
            env[f"DPRCLUSTER_Cluster__ShardSilos__{i}"] = f"shard-{i}"
        if telemetry and traces == "export":
            env.update({
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"http://127.0.0.1:{sink_port}/v1/traces",
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
                "DPRCLUSTER_Telemetry__TraceSampleRatio": str(sample_ratio),
            })
        elif telemetry:
            env["DPRCLUSTER_Telemetry__Traces"] = "true" if traces == "local" else "false"
            env["DPRCLUSTER_Telemetry__TraceSampleRatio"] = str(sample_ratio)
        else:
            env["DPRCLUSTER_Telemetry__Enabled"] = "false"
        silos = [(f"shard-{i}", "shard", ports[2 * i], ports[2 * i + 1], {"DPRCLUSTER_Silo__Index": str(i)}) for i in range(3)]
        silos.append(("encoder", "encoder", ports[6], ports[7], {}))
        silos.append(("gateway", "gateway", ports[8], ports[9], {}))
        self.api_ports = [api for _, _, api, _, _ in silos]
        self.silo_names = [silo for silo, _, _, _, _ in silos]
        self.gateway_port = ports[8]
        self.processes = []
        for silo, role, api, silo_port, extra in silos:
            silo_env = dict(env, **extra)
            silo_env.update({
                "DPRCLUSTER_Silo__Roles": role,
                "DPRCLUSTER_Silo__Name": silo,
                "DPRCLUSTER_Silo__ApiUrl": f"http://127.0.0.1:{api}",
                "DPRCLUSTER_Silo__SiloPort": str(silo_port),
                "DPRCLUSTER_Silo__DataDirectory": os.path.join(workdir, name, silo),
            })
            log = open(os.path.join(workdir, f"{name}-{silo}.log"), "a")
            self.processes.append(subprocess.Popen(["dotnet", CLI, "serve"], env=silo_env, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.time() + 120
        for port in self.api_ports:
            while not self.ready(port):
                if time.time() > deadline:
                    raise RuntimeError(f"{name}: silo on {port} not ready; logs in {workdir}")
                time.sleep(0.2)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.gateway_port)

    @staticmethod
    def ready(port):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def post(self, path, body):
        self.connection.request("POST", path, json.dumps(body), {"content-type": "application/json"})
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{self.name} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)

    def cpu_seconds(self):
        """User plus system CPU seconds each silo process has used so far, by silo name."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for silo, process in zip(self.silo_names, self.processes):
            with open(f"/proc/{process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            used[silo] = (int(fields[11]) + int(fields[12])) / ticks
        return used

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def serve_sink(port):
    """The OTLP sink, in its own process as a collector would be, so its work never holds the client's GIL."""
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()


def scrape_forever(ports, stop, interval):
    """Prometheus-like load on the telemetry cluster: GET /metrics of every silo every interval seconds."""
    while not stop.is_set():
        for port in ports:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/metrics")
                connection.getresponse().read()
            except OSError:
                pass
        stop.wait(interval)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=2000)
    parser.add_argument("--searches", type=int, default=1500, help="measured searches per cluster per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mode", default="dense")
    parser.add_argument("--warmup", type=int, default=10000,
                        help="searches per cluster before measuring: tiered JIT settles only after several thousand")
    parser.add_argument("--traces", choices=["export", "local", "off"], default="export",
                        help="telemetry cluster: export every trace (default), record spans without exporting, or metrics only")
    parser.add_argument("--sample-ratio", type=float, default=1.0, help="share of searches traced on the telemetry cluster")
    parser.add_argument("--scrape-interval", type=float, default=1.0,
                        help="seconds between scrapes of the telemetry cluster (docker-compose's Prometheus: 15)")
    parser.add_argument("--no-scrape", action="store_true", help="do not scrape the telemetry cluster's /metrics")
    parser.add_argument("--control", action="store_true",
                        help="A/A run: telemetry off on both clusters, to see the measurement's own noise")
    args = parser.parse_args()
    if not os.path.exists(CLI):
        sys.exit(f"build the CLI first: dotnet build src/DprCluster.Cli -c Release ({CLI} is missing)")

    passages, questions = [], []
    with open(os.path.join(SCIFACT, "corpus.jsonl")) as f:
        for line in f:
            doc = json.loads(line)
            passages.append({"id": doc["_id"], "title": doc["title"], "text": doc["text"][:1500]})
            if len(passages) == args.passages:
                break
    with open(os.path.join(SCIFACT, "queries.jsonl")) as f:
        questions = [json.loads(line)["text"] for line in f]

    workdir = tempfile.mkdtemp(prefix="dprcluster-telemetry-bench-")
    sink_port = free_ports(1)[0]
    sink = multiprocessing.Process(target=serve_sink, args=(sink_port,), daemon=True)
    sink.start()
    redis, redis_port = start_redis(workdir)
    telemetry_on = not args.control
    print(f"{args.searches} {args.mode} searches per cluster per run, k=10, {len(passages)} passages, 3 shards R=2, "
          f"5 silos each; telemetry cluster: traces {args.traces} (sample ratio {args.sample_ratio}), "
          f"scrape {'off' if args.no_scrape else f'every {args.scrape_interval:g} s'}{'; CONTROL: telemetry off on both' if args.control else ''}")
    print(f"{'phase':>5} {'run':>3} {'cluster':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'took p50':>9} {'CPU µs/search':>12}")
    ratios, cpu = [], {"on": {}, "off": {}}
    try:
        for phase, on_name in enumerate(("a", "b")):
            clusters, stop = [], multiprocessing.Event()
            try:
                for name in ("a", "b"):
                    clusters.append(Cluster(name, telemetry_on and name == on_name, sink_port, redis_port, workdir,
                                            args.traces, args.sample_ratio, role="on" if name == on_name else "off"))
                on = next(c for c in clusters if c.name == on_name)
                if not args.no_scrape:
                    scraper = multiprocessing.Process(target=scrape_forever, args=(on.api_ports, stop, args.scrape_interval), daemon=True)
                    scraper.start()
                if phase == 0:
                    for cluster in clusters:
                        for start in range(0, len(passages), 200):
                            cluster.post("/v1/passages", {"passages": passages[start:start + 200]})
                for i in range(args.warmup):
                    for cluster in clusters:
                        cluster.post("/v1/search", {"query": questions[i % len(questions)], "mode": args.mode, "k": 10})
                ratios += measure(clusters, on, questions, args, phase, cpu)
            finally:
                stop.set()
                for cluster in clusters:
                    cluster.stop()
        runs = 2 * args.runs
        print("CPU µs per search by silo, mean over runs (all silos of a role pooled): " + ", ".join(
            f"{silo} {cpu['on'][silo] / runs * 1e6:.0f} vs {cpu['off'][silo] / runs * 1e6:.0f}" for silo in cpu["on"]))
        print("p50 on/off per run: " + ", ".join(f"{r:.3f}" for r in ratios) +
              f"; median {statistics.median(ratios):.3f} ({(statistics.median(ratios) - 1) * 100:+.1f}%)")
    finally:
        sink.terminate()
        redis.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def measure(clusters, on, questions, args, phase, cpu):
    """Runs the measured searches; adds each silo's CPU seconds per search to cpu[role][silo]."""
    ratios = []
    for run in range(args.runs):
        latency = {c.name: [] for c in clusters}
        took = {c.name: [] for c in clusters}
        before = {c.name: c.cpu_seconds() for c in clusters}
        for i in range(args.searches):
            order = clusters if i % 2 == 0 else clusters[::-1]
            body = {"query": questions[((phase * args.runs + run) * args.searches + i) % len(questions)], "mode": args.mode, "k": 10}
            for cluster in order:
                started = time.perf_counter()
                answer = cluster.post("/v1/search", body)
                latency[cluster.name].append((time.perf_counter() - started) * 1000)
                took[cluster.name].append(answer["took_ms"])
        for cluster in sorted(clusters, key=lambda c: c.role, reverse=True):
            name = cluster.name
            after = cluster.cpu_seconds()
            used = {silo: (after[silo] - before[name][silo]) / args.searches for silo in after}
            for silo, seconds in used.items():
                cpu[cluster.role][silo] = cpu[cluster.role].get(silo, 0.0) + seconds
            print(f"{phase + 1:>5} {run + 1:>3} {cluster.role + ' (' + name + ')':>8} {percentile(latency[name], 0.5):8.3f} "
                  f"{percentile(latency[name], 0.9):8.3f} {percentile(latency[name], 0.99):8.3f} {statistics.median(took[name]):9.3f} "
                  f"{sum(used.values()) * 1e6:12.0f}")
        off = next(c for c in clusters if c is not on)
        ratios.append(percentile(latency[on.name], 0.5) / percentile(latency[off.name], 0.5))
    return ratios


if __name__ == "__main__":
    main()
