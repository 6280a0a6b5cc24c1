using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Contracts;

/// <summary>
/// One replica of one shard: HNSW graph, BM25 postings and passage store behind a write-ahead log. Writes are
/// applied one at a time and acknowledged only once durable and visible; searches run concurrently.
/// </summary>
public interface IShardGrain
{
    /// <summary>The shard this replica serves (its grain key).</summary>
    int ShardId { get; }

    /// <summary>Dense and/or BM25 top-k over this shard.</summary>
    Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken);

    /// <summary>Collection statistics for <paramref name="terms"/>, merged by the coordinator into cluster-wide IDF.</summary>
    Task<Bm25Statistics> GetStatisticsAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces passages (with their vectors).</summary>
    Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes passages; unknown ids are ignored and not counted.</summary>
    Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken);

    /// <summary>A stored passage, or null.</summary>
    Task<Passage?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Counts, log positions and state.</summary>
    Task<ShardStats> GetStatsAsync(CancellationToken cancellationToken);
}
