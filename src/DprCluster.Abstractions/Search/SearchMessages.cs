namespace DprCluster.Abstractions;

/// <summary>A search as the gateway hands it to the coordinator.</summary>
/// <param name="Query">The question.</param>
/// <param name="K">Hits to return.</param>
/// <param name="Mode">Dense, BM25 or hybrid.</param>
/// <param name="Ef">HNSW beam width; null uses the shards' default.</param>
/// <param name="Fusion">How hybrid mode fuses its lists.</param>
/// <param name="IncludeText">Whether hits carry title, text and metadata (fetched for the final k only).</param>
/// <param name="Vector">
/// A precomputed question vector (the counterpart of imported passage vectors): dense and hybrid search use it
/// instead of encoding <paramref name="Query"/>, which may then be empty for dense search.
/// </param>
[GenerateSerializer, Immutable, Alias("dpr.SearchRequest")]
public sealed record SearchRequest(
    [property: Id(0)] string Query,
    [property: Id(1)] int K = 10,
    [property: Id(2)] SearchMode Mode = SearchMode.Dense,
    [property: Id(3)] int? Ef = null,
    [property: Id(4)] FusionMethod Fusion = FusionMethod.Normalized,
    [property: Id(5)] bool IncludeText = true,
    [property: Id(6)] float[]? Vector = null);

/// <summary>One ranked passage of a search response.</summary>
/// <param name="Id">Passage id.</param>
/// <param name="Score">Score in the search's mode (fused score for hybrid).</param>
/// <param name="Title">Stored title.</param>
/// <param name="Text">Stored text.</param>
/// <param name="Shard">The shard that holds it.</param>
/// <param name="Metadata">Stored attributes.</param>
[GenerateSerializer, Immutable, Alias("dpr.PassageHit")]
public sealed record PassageHit(
    [property: Id(0)] string Id,
    [property: Id(1)] float Score,
    [property: Id(2)] string Title,
    [property: Id(3)] string Text,
    [property: Id(4)] int Shard,
    [property: Id(5)] IReadOnlyDictionary<string, string>? Metadata);

/// <summary>Milliseconds spent in each stage of one search.</summary>
/// <param name="EncodeMs">Question encoding (dense and hybrid).</param>
/// <param name="StatisticsMs">Gathering cluster-wide BM25 statistics (BM25 and hybrid).</param>
/// <param name="ShardsMs">Fan-out to the shards until the last answered.</param>
/// <param name="MergeMs">k-way merge and fusion.</param>
[GenerateSerializer, Immutable, Alias("dpr.StageTimings")]
public sealed record StageTimings(
    [property: Id(0)] double EncodeMs,
    [property: Id(1)] double StatisticsMs,
    [property: Id(2)] double ShardsMs,
    [property: Id(3)] double MergeMs);

/// <summary>Which replica of a shard answered a search, and how long the call took.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Replica">The replica that answered.</param>
/// <param name="Silo">The silo that holds it.</param>
/// <param name="Ms">Milliseconds from the call to its answer (failed attempts on other replicas included).</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardCallTiming")]
public sealed record ShardCallTiming(
    [property: Id(0)] int Shard,
    [property: Id(1)] int Replica,
    [property: Id(2)] string Silo,
    [property: Id(3)] double Ms);

/// <summary>A search's answer. <see cref="Partial"/> is true when some shard had no live replica.</summary>
/// <param name="Hits">Ranked hits, best first.</param>
/// <param name="TookMs">Coordinator time.</param>
/// <param name="Timings">Per-stage times.</param>
/// <param name="Partial">Some shard did not answer.</param>
/// <param name="FailedShards">The shards that did not answer.</param>
/// <param name="ShardTimings">Per shard that answered the search: the replica and its latency.</param>
[GenerateSerializer, Immutable, Alias("dpr.SearchResponse")]
public sealed record SearchResponse(
    [property: Id(0)] PassageHit[] Hits,
    [property: Id(1)] double TookMs,
    [property: Id(2)] StageTimings Timings,
    [property: Id(3)] bool Partial,
    [property: Id(4)] int[] FailedShards,
    [property: Id(5)] ShardCallTiming[] ShardTimings);

/// <summary>Outcome of a batch upsert: every passage durable on every (or a quorum of) replica(s).</summary>
/// <param name="Upserted">Passages now stored as sent: written, or found already stored unchanged.</param>
/// <param name="Shards">Shards the batch touched.</param>
/// <param name="Encoded">Passages encoded and written by this request.</param>
/// <param name="Unchanged">Passages every replica already held with the same title, text and metadata: not encoded again.</param>
/// <param name="EncodeMilliseconds">Time spent encoding; with <paramref name="Encoded"/>, the encoder's rate that clients size batches by.</param>
[GenerateSerializer, Immutable, Alias("dpr.UpsertResponse")]
public sealed record UpsertResponse(
    [property: Id(0)] int Upserted,
    [property: Id(1)] int Shards,
    [property: Id(2)] int Encoded,
    [property: Id(3)] int Unchanged,
    [property: Id(4)] double EncodeMilliseconds);
