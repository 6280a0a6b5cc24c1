namespace DprCluster.Silo.Configuration;

/// <summary>The cluster (configuration section <c>Cluster</c>): shards, replication, the shard silos' names, membership.</summary>
public sealed record ClusterOptions
{
    /// <summary>S: shards of the index, fixed when the index is created.</summary>
    public int ShardCount { get; init; } = 4;

    /// <summary>R: replicas of every shard, on R consecutive shard silos.</summary>
    public int ReplicationFactor { get; init; } = 1;

    /// <summary>
    /// Names of the shard silos; position = ordinal. Replica r of shard s lives on silo (s + r) mod N, so N is the
    /// length of this list, never the number of silos alive. Empty in a single <c>all</c> process.
    /// </summary>
    public string[] ShardSilos { get; init; } = [];

    /// <summary>Orleans cluster id: silos with the same id (and membership store) form one cluster.</summary>
    public string ClusterId { get; init; } = "dprcluster";

    /// <summary>Orleans service id: stays the same across deployments of one index.</summary>
    public string ServiceId { get; init; } = "dprcluster";

    /// <summary>Membership store (section <c>Cluster:Membership</c>).</summary>
    public MembershipOptions Membership { get; init; } = new();

    /// <summary>Shard silos as a Kubernetes StatefulSet instead of <see cref="ShardSilos"/>.</summary>
    public KubernetesOptions Kubernetes { get; init; } = new();

    /// <summary>Mutual TLS between silos (section <c>Cluster:Tls</c>).</summary>
    public ClusterTlsOptions Tls { get; init; } = new();
}
