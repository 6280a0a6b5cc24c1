using System.CommandLine;

namespace DprCluster.Cli.Commands;

/// <summary><c>dprcluster bench ann</c>: recall / QPS / build table for the HNSW index.</summary>
internal static class BenchAnnCommand
{
    public static Command Create() => new("ann", "ANN benchmark (recall@k, QPS, latency, build time, memory).");
}
