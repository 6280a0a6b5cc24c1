using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Contracts;

/// <summary>
/// One shard's part of a search. Dense needs <see cref="Vector"/>; BM25 needs <see cref="Terms"/> and, for scores
/// equal to an unsharded index, the cluster-wide <see cref="Statistics"/> gathered first.
/// </summary>
/// <param name="Vector">Question vector (dense and hybrid).</param>
/// <param name="Terms">Analysed query terms with their counts (BM25 and hybrid).</param>
/// <param name="Statistics">Cluster-wide collection statistics for <see cref="Terms"/>; null scores with the shard's own.</param>
/// <param name="K">Hits wanted from each list.</param>
/// <param name="Ef">HNSW beam width; 0 uses the shard's default.</param>
public sealed record ShardSearchRequest(float[]? Vector, Bm25Query? Terms, Bm25Statistics? Statistics, int K, int Ef = 0);

/// <summary>One hit from one shard, with the stored passage so no second round trip is needed.</summary>
public sealed record ShardHit(string Id, float Score, string Title, string Text, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>A shard's answer: its best dense and BM25 hits (either may be empty), best first.</summary>
public sealed record ShardSearchResponse(int ShardId, IReadOnlyList<ShardHit> Dense, IReadOnlyList<ShardHit> Bm25);

/// <summary>Passages with vectors to insert or replace on one shard.</summary>
public sealed record ShardUpsertRequest(IReadOnlyList<EncodedPassage> Passages);

/// <summary>Ids to delete on one shard.</summary>
public sealed record ShardDeleteRequest(IReadOnlyList<string> Ids);

/// <summary>A durable, visible write: the log sequence number of its last record and how many passages changed.</summary>
public sealed record ShardWriteResponse(int ShardId, long Lsn, int Applied);

/// <summary>Serving state of a shard replica.</summary>
public enum ShardState
{
    /// <summary>Loading its snapshot and replaying its log.</summary>
    Recovering,

    /// <summary>Recovered; answering reads and writes.</summary>
    Serving,

    /// <summary>Recovery failed (corrupt log or snapshot); the message says where.</summary>
    Failed,
}

/// <summary>What a shard replica holds.</summary>
public sealed record ShardStats(
    int ShardId,
    ShardState State,
    int Passages,
    int DeletedSlots,
    long LastLsn,
    long SnapshotLsn,
    long WalBytes,
    string? Error);
