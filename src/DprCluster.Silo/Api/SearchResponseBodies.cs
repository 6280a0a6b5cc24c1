namespace DprCluster.Silo.Api;

/// <summary>Answer of <c>POST /v1/search</c> for one question.</summary>
/// <param name="Hits">Ranked hits, best first.</param>
/// <param name="TookMs">Coordinator time in milliseconds.</param>
/// <param name="Timings">Time per stage.</param>
/// <param name="Partial">True when some shard had no live replica; its hits are missing.</param>
/// <param name="FailedShards">The shards that did not answer.</param>
/// <param name="ShardTimings">Per shard that answered: the replica, its silo and the call's latency.</param>
public sealed record SearchResponseBody(IReadOnlyList<HitBody> Hits, double TookMs, TimingsBody Timings, bool Partial,
    IReadOnlyList<int> FailedShards, IReadOnlyList<ShardTimingBody> ShardTimings);

/// <summary>One shard's part of a search.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Replica">The replica that answered.</param>
/// <param name="Silo">Its silo.</param>
/// <param name="Ms">Latency of the call in milliseconds.</param>
public sealed record ShardTimingBody(int Shard, int Replica, string Silo, double Ms);

/// <summary>One ranked passage.</summary>
/// <param name="Id">Passage id.</param>
/// <param name="Score">Score in the search's mode (the fused score for hybrid).</param>
/// <param name="Title">Stored title.</param>
/// <param name="Text">Stored text.</param>
/// <param name="Shard">The shard that holds it.</param>
/// <param name="Metadata">Stored attributes, when it has any.</param>
/// <param name="Replica">The replica of <paramref name="Shard"/> that answered.</param>
public sealed record HitBody(string Id, float Score, string Title, string Text, int Shard, IReadOnlyDictionary<string, string>? Metadata,
    int? Replica);

/// <summary>Milliseconds per search stage.</summary>
/// <param name="EncodeMs">Question encoding.</param>
/// <param name="StatisticsMs">Gathering cluster-wide BM25 statistics.</param>
/// <param name="ShardsMs">Fan-out until the last shard answered.</param>
/// <param name="MergeMs">Merge and fusion.</param>
public sealed record TimingsBody(double EncodeMs, double StatisticsMs, double ShardsMs, double MergeMs);

/// <summary>Answer of a <c>queries</c> search: one response per question, in order.</summary>
/// <param name="Results">Per-question responses.</param>
/// <param name="TookMs">Wall time of the whole call.</param>
public sealed record MultiSearchResponse(IReadOnlyList<SearchResponseBody> Results, double TookMs);

/// <summary>Answer of <c>POST /v1/passages</c>.</summary>
/// <param name="Upserted">Passages stored as sent, durable and searchable (written now, or already stored unchanged).</param>
/// <param name="Shards">Shards the batch touched.</param>
/// <param name="Encoded">Passages this request encoded and wrote.</param>
/// <param name="Unchanged">Passages already stored with the same title, text and metadata: not encoded again.</param>
/// <param name="EncodeMs">Time this request spent encoding: <c>encoded / encode_ms</c> is the encoder's rate, by which clients size batches.</param>
public sealed record UpsertResponseBody(int Upserted, int Shards, int Encoded, int Unchanged, double EncodeMs);
