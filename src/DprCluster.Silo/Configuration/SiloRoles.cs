namespace DprCluster.Silo.Configuration;

/// <summary>What a silo process hosts. <see cref="All"/> is the embedded default: one process, every role.</summary>
[Flags]
public enum SiloRoles
{
    /// <summary>No role (invalid for a running silo).</summary>
    None = 0,

    /// <summary>Serves the REST API and runs the coordinator.</summary>
    Gateway = 1,

    /// <summary>Hosts shard replicas (HNSW + BM25 + passage store + WAL).</summary>
    Shard = 2,

    /// <summary>Hosts the question and passage encoders.</summary>
    Encoder = 4,

    /// <summary>Every role in one process.</summary>
    All = Gateway | Shard | Encoder,
}
