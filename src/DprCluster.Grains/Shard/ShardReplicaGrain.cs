using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using Orleans.Concurrency;

namespace DprCluster.Grains.Shard;

/// <summary>
/// The grain of one shard replica (key <c>shard-{s}/replica-{r}</c>): a façade over this silo's
/// <see cref="ShardReplica"/> engine from the <see cref="ShardStore"/>. Pinned to the silo that holds the data, never
/// collected while that silo runs, and reentrant: searches run concurrently on the thread pool, off the grain's turn,
/// while the shard writer's record batches queue to the engine's single write loop, which logs them in LSN order.
/// </summary>
[Reentrant, KeepAlive, ShardReplicaPlacement]
public sealed class ShardReplicaGrain(ShardStore store) : Grain, IShardReplicaGrain
{
    private ShardReplica _replica = null!;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        if (!ShardReplicaKey.TryParse(key, out ShardReplicaKey replica))
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"'{key}' is not a shard replica key");
        }
        // Placement only picks the silo by name; this guards against a misconfigured silo claiming another's name.
        _replica = store.Find(replica.Shard) ?? throw new ShardReplicaUnavailableException(key, RuntimeIdentity);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken) =>
        Task.Run(() => _replica.SearchAsync(request, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<CollectionStatistics> GetStatisticsAsync(string[] terms, CancellationToken cancellationToken) =>
        Task.Run(() => _replica.GetStatisticsAsync(terms, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<ShardReplicateResponse> ReplicateAsync(ShardRecordBatch batch, CancellationToken cancellationToken) =>
        _replica.ReplicateAsync(batch, cancellationToken);

    /// <inheritdoc />
    public Task<ShardLogChunk> ReadLogAsync(long afterLsn, int maxRecords, CancellationToken cancellationToken) =>
        Task.Run(() => _replica.ReadLogAsync(afterLsn, maxRecords), cancellationToken);

    /// <inheritdoc />
    public Task<byte[]> ReadSnapshotAsync(long snapshotLsn, long offset, int count, CancellationToken cancellationToken) =>
        _replica.ReadSnapshotAsync(snapshotLsn, offset, count, cancellationToken);

    /// <inheritdoc />
    public Task CatchUpAsync(long lsn, CancellationToken cancellationToken) => _replica.CatchUpAsync(lsn);

    /// <inheritdoc />
    public Task<Passage?> GetAsync(string id, CancellationToken cancellationToken) => _replica.GetAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<Passage?[]> FetchAsync(string[] ids, CancellationToken cancellationToken) => _replica.FetchAsync(ids);

    /// <inheritdoc />
    public Task<ShardVector[]> VectorsAsync(ShardVectorsRequest request, CancellationToken cancellationToken) => _replica.VectorsAsync(request);

    /// <inheritdoc />
    public Task<bool[]> HoldsAsync(ShardContentCheck check, CancellationToken cancellationToken) => _replica.HoldsAsync(check);

    /// <inheritdoc />
    public Task<ShardStats> GetStatsAsync(CancellationToken cancellationToken) => _replica.GetStatsAsync(cancellationToken);
}
