"""What the cluster benchmark scripts share: the repository's paths, free loopback ports, a Redis membership store,
and the configuration of one silo of a multi-process Orleans cluster."""
import http.client
import json
import os
import socket
import subprocess
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI_DLL = os.path.join(ROOT, "src", "DprCluster.Cli", "bin", "Release", "net10.0", "dprcluster.dll")
SHARED_DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")


def free_ports(count):
    """Ports the OS says are free right now, all bound at once so they differ."""
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def start_redis(work):
    """Debian's redis-server on a free loopback port with an append-only file in work/redis; returns (process, port)."""
    port = free_ports(1)[0]
    directory = os.path.join(work, "redis")
    os.makedirs(directory, exist_ok=True)
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
                                "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def new_cluster_id():
    """A fresh Orleans cluster id, so runs never meet another run's silos in a shared store."""
    return "bench-" + uuid.uuid4().hex[:8]


def silo_settings(name, roles, api_port, silo_port, data, shard_silos, shards, replication, redis_port, cluster_id,
                  index=None, extra=None):
    """The JSON configuration of one silo of a multi-process cluster joined through Redis on loopback."""
    silo = {"Roles": roles, "Name": name, "ApiUrl": f"http://127.0.0.1:{api_port}", "SiloPort": silo_port,
            "AdvertisedAddress": "127.0.0.1", "DataDirectory": data}
    if index is not None:
        silo["Index"] = index
    settings = {"Silo": silo,
                "Cluster": {"ShardCount": shards, "ReplicationFactor": replication, "ShardSilos": shard_silos,
                            "ClusterId": cluster_id,
                            "Membership": {"Provider": "redis", "ConnectionString": f"127.0.0.1:{redis_port}"}},
                "Logging": {"LogLevel": {"Default": "Warning"}},
                # Cluster mechanics, not encoder quality: the small static encoder keeps these runs fast.
                "Encoder": {"Model": "static"}}
    for section, values in (extra or {}).items():
        settings.setdefault(section, {}).update(values)
    return settings


def http_request(port, method, path, body=None, timeout=30):
    """One JSON request to a silo's API on loopback; returns (status, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
