namespace DprCluster.Abstractions;

/// <summary>
/// One replica of one shard (key <see cref="ShardReplicaKey"/>): HNSW graph, BM25 postings and passage store behind a
/// write-ahead log on the disk of the one silo it is pinned to. It takes writes only as records numbered by the shard's
/// <see cref="IShardWriterGrain"/>, applied in LSN order and acknowledged only once durable and visible; a replica that
/// missed records copies them from a peer before it serves reads again. Searches run concurrently.
/// </summary>
public interface IShardReplicaGrain : IGrainWithStringKey
{
    /// <summary>Dense and/or BM25 top-k over this shard.</summary>
    Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken);

    /// <summary>Collection statistics for <paramref name="terms"/>, merged by the coordinator into cluster-wide IDF.</summary>
    Task<CollectionStatistics> GetStatisticsAsync(string[] terms, CancellationToken cancellationToken);

    /// <summary>
    /// Logs and applies records numbered by the shard's writer. Records it already holds are skipped; a batch that does
    /// not follow its last LSN is refused with <see cref="ClusterErrorCodes.ReplicaBehind"/>, and the replica catches up.
    /// </summary>
    Task<ShardReplicateResponse> ReplicateAsync(ShardRecordBatch batch, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxRecords"/> durable records after <paramref name="afterLsn"/>, for a peer catching up.</summary>
    Task<ShardLogChunk> ReadLogAsync(long afterLsn, int maxRecords, CancellationToken cancellationToken);

    /// <summary>Bytes of this replica's snapshot at <paramref name="snapshotLsn"/>, for a peer whose log gap it covers.</summary>
    Task<byte[]> ReadSnapshotAsync(long snapshotLsn, long offset, int count, CancellationToken cancellationToken);

    /// <summary>Tells the replica that the shard's writer has sent records up to <paramref name="lsn"/>: it catches up if it lacks them.</summary>
    Task CatchUpAsync(long lsn, CancellationToken cancellationToken);

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
