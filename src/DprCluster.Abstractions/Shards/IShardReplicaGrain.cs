namespace DprCluster.Abstractions;

/// <summary>
/// One replica of one shard (key <see cref="ShardReplicaKey"/>): HNSW graph, BM25 postings and passage store behind a
/// write-ahead log on the disk of the one silo it is pinned to. Writes are applied in order and acknowledged only once
/// durable and visible; searches run concurrently.
/// </summary>
public interface IShardReplicaGrain : IGrainWithStringKey
{
    /// <summary>Dense and/or BM25 top-k over this shard.</summary>
    Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken);

    /// <summary>Collection statistics for <paramref name="terms"/>, merged by the coordinator into cluster-wide IDF.</summary>
    Task<CollectionStatistics> GetStatisticsAsync(string[] terms, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces passages (with their vectors).</summary>
    Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes passages; unknown ids are ignored and not counted.</summary>
    Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken);

    /// <summary>For each passage of <paramref name="check"/>, whether this replica stores it with that content fingerprint.</summary>
    Task<bool[]> HoldsAsync(ShardContentCheck check, CancellationToken cancellationToken);

    /// <summary>The stored passages of <paramref name="ids"/>, in order; null where one is absent.</summary>
    Task<Passage?[]> FetchAsync(string[] ids, CancellationToken cancellationToken);

    /// <summary>Stored passages with their vectors: those of <see cref="ShardVectorsRequest.Ids"/> and a random sample.</summary>
    Task<ShardVector[]> VectorsAsync(ShardVectorsRequest request, CancellationToken cancellationToken);

    /// <summary>A stored passage, or null.</summary>
    Task<Passage?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Counts, log positions and state.</summary>
    Task<ShardStats> GetStatsAsync(CancellationToken cancellationToken);
}
