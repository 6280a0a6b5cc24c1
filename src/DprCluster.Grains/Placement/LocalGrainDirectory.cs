using DprCluster.Grains.Contracts;

namespace DprCluster.Grains.Placement;

/// <summary>
/// A directory whose grains all live in this process (the embedded <c>all</c> role, the demo, tests): every
/// reference is the object itself, so calls are direct.
/// </summary>
public sealed class LocalGrainDirectory : IGrainDirectory
{
    private readonly IReadOnlyList<ShardReplica>[] _replicas;

    /// <summary>Creates the directory; <paramref name="replicas"/>[s] lists shard s's replicas, primary first.</summary>
    public LocalGrainDirectory(ShardPlacement placement, IReadOnlyList<ShardReplica>[] replicas, IEncoderGrain encoder,
        IReadOnlyList<SiloStatus> silos)
    {
        if (replicas.Length != placement.ShardCount)
        {
            throw new ArgumentException($"{replicas.Length} replica lists for {placement.ShardCount} shards.", nameof(replicas));
        }
        Placement = placement;
        _replicas = replicas;
        Encoder = encoder;
        Silos = silos;
    }

    /// <inheritdoc />
    public ShardPlacement Placement { get; }

    /// <inheritdoc />
    public IEncoderGrain Encoder { get; }

    /// <inheritdoc />
    public IReadOnlyList<SiloStatus> Silos { get; }

    /// <inheritdoc />
    public IReadOnlyList<ShardReplica> ReplicasOf(int shard) => _replicas[shard];
}
