namespace DprCluster.Abstractions;

/// <summary>An analysed bag-of-words query: distinct terms in order of first occurrence and how often each occurred.</summary>
/// <param name="Terms">Distinct analysed terms.</param>
/// <param name="Counts">Occurrences of each term (same length as <paramref name="Terms"/>).</param>
[GenerateSerializer, Immutable, Alias("dpr.QueryTerms")]
public sealed record QueryTerms([property: Id(0)] string[] Terms, [property: Id(1)] int[] Counts);

/// <summary>BM25 collection statistics: documents, their total length, and document frequencies of some terms.</summary>
/// <param name="DocumentCount">Number of documents.</param>
/// <param name="TotalLength">Sum of document lengths in indexed terms.</param>
/// <param name="DocumentFrequencies">Documents containing each term.</param>
[GenerateSerializer, Immutable, Alias("dpr.CollectionStatistics")]
public sealed record CollectionStatistics(
    [property: Id(0)] long DocumentCount,
    [property: Id(1)] long TotalLength,
    [property: Id(2)] Dictionary<string, long> DocumentFrequencies);

/// <summary>
/// One shard's part of a search. Dense needs <see cref="Vector"/>; BM25 needs <see cref="Terms"/> and, for scores
/// equal to an unsharded index, the cluster-wide <see cref="Statistics"/> gathered first.
/// </summary>
/// <param name="Vector">Question vector (dense and hybrid).</param>
/// <param name="Terms">Analysed query terms (BM25 and hybrid).</param>
/// <param name="Statistics">Cluster-wide statistics for <paramref name="Terms"/>; null scores with the shard's own.</param>
/// <param name="K">Hits wanted from each list.</param>
/// <param name="Ef">HNSW beam width; 0 uses the shard's default.</param>
/// <param name="IdsOnly">Hits carry ids and scores only (empty title and text): the coordinator fetches the final k.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardSearchRequest")]
public sealed record ShardSearchRequest(
    [property: Id(0)] float[]? Vector,
    [property: Id(1)] QueryTerms? Terms,
    [property: Id(2)] CollectionStatistics? Statistics,
    [property: Id(3)] int K,
    [property: Id(4)] int Ef = 0,
    [property: Id(5)] bool IdsOnly = false);

/// <summary>One hit from one shard, with the stored passage unless the search asked for ids only.</summary>
/// <param name="Id">Passage id.</param>
/// <param name="Score">Dense or BM25 score.</param>
/// <param name="Title">Stored title.</param>
/// <param name="Text">Stored text.</param>
/// <param name="Metadata">Stored attributes.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardHit")]
public sealed record ShardHit(
    [property: Id(0)] string Id,
    [property: Id(1)] float Score,
    [property: Id(2)] string Title,
    [property: Id(3)] string Text,
    [property: Id(4)] IReadOnlyDictionary<string, string>? Metadata);

/// <summary>A shard's answer: its best dense and BM25 hits (either may be empty), best first.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Dense">Dense hits.</param>
/// <param name="Bm25">BM25 hits.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardSearchResponse")]
public sealed record ShardSearchResponse([property: Id(0)] int ShardId, [property: Id(1)] ShardHit[] Dense, [property: Id(2)] ShardHit[] Bm25);

/// <summary>Passages with vectors to insert or replace on one shard.</summary>
/// <param name="Passages">The passages.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardUpsertRequest")]
public sealed record ShardUpsertRequest([property: Id(0)] EncodedPassage[] Passages);

/// <summary>Passages to look up by id and content fingerprint (see the coordinator's write path).</summary>
/// <param name="Ids">Passage ids.</param>
/// <param name="ContentHashes">Fingerprint of each passage's title, text and metadata, in the same order.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardContentCheck")]
public sealed record ShardContentCheck([property: Id(0)] string[] Ids, [property: Id(1)] ulong[] ContentHashes);

/// <summary>Ids to delete on one shard.</summary>
/// <param name="Ids">The ids.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardDeleteRequest")]
public sealed record ShardDeleteRequest([property: Id(0)] string[] Ids);

/// <summary>A durable, visible write: the log sequence number of its last record and how many passages changed.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Lsn">LSN of the write's last record.</param>
/// <param name="Applied">Passages changed.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardWriteResponse")]
public sealed record ShardWriteResponse([property: Id(0)] int ShardId, [property: Id(1)] long Lsn, [property: Id(2)] int Applied);

/// <summary>Serving state of a shard replica.</summary>
[GenerateSerializer, Alias("dpr.ShardState")]
public enum ShardState
{
    /// <summary>Loading its snapshot and replaying its log.</summary>
    Recovering,

    /// <summary>Recovered; answering reads and writes.</summary>
    Serving,

    /// <summary>Recovery failed (corrupt log or snapshot); the message says where.</summary>
    Failed,

    /// <summary>
    /// Serving reads, refusing writes: a log write failed (a full disk, an I/O error); the replica takes writes again
    /// by itself once the disk does.
    /// </summary>
    ReadOnly,

    /// <summary>
    /// Copying the records it missed (it was down, slow, or refused some) from a peer replica; takes the writer's
    /// records that follow its own, and serves no reads until it has caught up.
    /// </summary>
    CatchingUp,
}

/// <summary>What a shard replica holds.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="State">Recovering, serving or failed.</param>
/// <param name="Passages">Live passages.</param>
/// <param name="DeletedSlots">Graph slots marked deleted.</param>
/// <param name="LastLsn">LSN of the last logged record.</param>
/// <param name="SnapshotLsn">LSN of the newest snapshot.</param>
/// <param name="WalBytes">Bytes of log since the snapshot.</param>
/// <param name="Error">Recovery or log error, when there is one.</param>
/// <param name="Recall">Latest recall@k the replica's recall probe measured; null before the first.</param>
/// <param name="ContentDigest">
/// Order-independent fingerprint of every stored passage's id and content: replicas at the same LSN that agree have
/// the same digest, so divergence shows.
/// </param>
/// <param name="ReplicaLsns">The shard writer's last view of every replica's LSN, as the latest batch carried it.</param>
/// <param name="IndexBytes">RAM the vector index holds (vectors or codes, links, ids, id map).</param>
/// <param name="Quantization">How the index stores vectors: <c>none</c> or <c>sq8</c>.</param>
/// <param name="Unindexed">Acknowledged writes not yet linked into the graph (searched exactly meanwhile).</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardStats")]
public sealed record ShardStats(
    [property: Id(0)] int ShardId,
    [property: Id(1)] ShardState State,
    [property: Id(2)] int Passages,
    [property: Id(3)] int DeletedSlots,
    [property: Id(4)] long LastLsn,
    [property: Id(5)] long SnapshotLsn,
    [property: Id(6)] long WalBytes,
    [property: Id(7)] string? Error,
    [property: Id(8)] double? Recall = null,
    [property: Id(9)] ulong ContentDigest = 0,
    [property: Id(10)] long?[]? ReplicaLsns = null,
    [property: Id(11)] long IndexBytes = 0,
    [property: Id(12)] string? Quantization = null,
    [property: Id(13)] int Unindexed = 0);

/// <summary>Stored vectors to read from one shard: named passages and a random sample.</summary>
/// <param name="Ids">Passages wanted by id (absent ones are skipped).</param>
/// <param name="Sample">Further passages drawn at random.</param>
/// <param name="Seed">Seed of the draw, so a console redraws the same sample.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardVectorsRequest")]
public sealed record ShardVectorsRequest([property: Id(0)] string[] Ids, [property: Id(1)] int Sample, [property: Id(2)] int Seed);

/// <summary>A stored passage with its vector.</summary>
/// <param name="Passage">The passage.</param>
/// <param name="Vector">Its stored vector.</param>
/// <param name="Sampled">True when drawn at random rather than asked for by id.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardVector")]
public sealed record ShardVector([property: Id(0)] Passage Passage, [property: Id(1)] float[] Vector, [property: Id(2)] bool Sampled);
