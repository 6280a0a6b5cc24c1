using DprCluster.Grains.Contracts;

namespace DprCluster.Grains.Placement;

/// <summary>A reference to one replica of a shard and the silo that hosts it.</summary>
public sealed record ShardReplica(string Silo, IShardGrain Grain);

/// <summary>
/// Resolves grain references, as Orleans' grain factory does: local objects when the grain lives in this process,
/// transport proxies otherwise. The silo host builds it from the cluster map.
/// </summary>
public interface IGrainDirectory
{
    /// <summary>Where shards and replicas live.</summary>
    ShardPlacement Placement { get; }

    /// <summary>Replicas of <paramref name="shard"/>, primary first.</summary>
    IReadOnlyList<ShardReplica> ReplicasOf(int shard);

    /// <summary>The encoder to use.</summary>
    IEncoderGrain Encoder { get; }

    /// <summary>The silos of the cluster, for the cluster view.</summary>
    IReadOnlyList<SiloStatus> Silos { get; }
}
