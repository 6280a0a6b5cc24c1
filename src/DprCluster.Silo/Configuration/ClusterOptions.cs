namespace DprCluster.Silo.Configuration;

/// <summary>The cluster map (configuration section <c>Cluster</c>): shard count, replication, and where the silos are.</summary>
public sealed record ClusterOptions
{
    /// <summary>S: shards of the index, fixed when the index is created.</summary>
    public int ShardCount { get; init; } = 4;

    /// <summary>R: replicas of every shard, on R consecutive shard silos.</summary>
    public int ReplicationFactor { get; init; } = 1;

    /// <summary>Internal (h2c) URLs of the shard silos; position = silo index. Empty in a single <c>all</c> process.</summary>
    public string[] ShardSilos { get; init; } = [];

    /// <summary>Internal URLs of the encoder silos; gateways use the first that answers. Empty when the gateway encodes itself.</summary>
    public string[] EncoderSilos { get; init; } = [];

    /// <summary>API URLs of the gateways, listed in the cluster view.</summary>
    public string[] Gateways { get; init; } = [];

    /// <summary>Derive the map from a StatefulSet and its headless Service instead of the lists above.</summary>
    public KubernetesOptions Kubernetes { get; init; } = new();
}
