using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using Orleans.Concurrency;

namespace DprCluster.Grains.Shard;

/// <summary>
/// The grain of one shard silo (key <c>shard-silo-{n}</c>): a façade over <see cref="ShardStore.SearchAsync"/>, so a
/// coordinator reaches every shard a silo holds with one call. Pinned to that silo, never collected, reentrant; the
/// search runs on the thread pool, off the grain's turn, which would otherwise run every query's shards one at a time.
/// </summary>
[Reentrant, KeepAlive, ShardReplicaPlacement]
public sealed class ShardSiloGrain(ShardStore store) : Grain, IShardSiloGrain
{
    /// <inheritdoc />
    public Task<ShardSearchOutcome[]> SearchAsync(int[] shards, ShardSearchRequest request, CancellationToken cancellationToken) =>
        Task.Run(() => store.SearchAsync(shards, request, cancellationToken), cancellationToken);
}
