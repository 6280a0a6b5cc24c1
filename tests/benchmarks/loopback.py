"""What the cluster benchmark scripts share: the repository's paths and free loopback ports for silos."""
import os
import socket

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
