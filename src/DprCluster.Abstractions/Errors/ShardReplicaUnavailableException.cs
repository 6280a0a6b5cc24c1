namespace DprCluster.Abstractions;

/// <summary>
/// The silo that owns a shard replica's data is not an active member of the cluster, so the replica cannot activate:
/// its data is on that silo's disk and it never activates anywhere else. The coordinator fails over to another replica.
/// </summary>
[GenerateSerializer, Alias("dpr.ShardReplicaUnavailableException")]
public sealed class ShardReplicaUnavailableException : ClusterException
{
    /// <summary>Creates the exception for <paramref name="replicaKey"/>, which belongs on <paramref name="silo"/>.</summary>
    public ShardReplicaUnavailableException(string replicaKey, string silo)
        : base(ClusterErrorCodes.ShardUnavailable, $"replica {replicaKey} lives on silo '{silo}', which is not active")
    {
        ReplicaKey = replicaKey;
        Silo = silo;
    }

    /// <summary>The grain key, <c>shard-{s}/replica-{r}</c>.</summary>
    [Id(0)]
    public string ReplicaKey { get; private set; }

    /// <summary>Name of the silo that holds the replica's data.</summary>
    [Id(1)]
    public string Silo { get; private set; }
}
