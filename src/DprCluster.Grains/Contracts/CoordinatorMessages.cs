namespace DprCluster.Grains.Contracts;

/// <summary>A search as the REST API and the CLI send it.</summary>
/// <param name="Query">The question.</param>
/// <param name="K">Hits to return.</param>
/// <param name="Mode">Dense, BM25 or hybrid.</param>
/// <param name="Ef">HNSW beam width; null uses the shards' default.</param>
/// <param name="Fusion">How hybrid mode fuses its lists.</param>
public sealed record SearchRequest(string Query, int K = 10, SearchMode Mode = SearchMode.Dense, int? Ef = null,
    FusionMethod Fusion = FusionMethod.Rrf);

/// <summary>One ranked passage of a search response.</summary>
public sealed record PassageHit(string Id, float Score, string Title, string Text, int Shard,
    IReadOnlyDictionary<string, string>? Metadata);

/// <summary>Milliseconds spent in each stage of one search.</summary>
/// <param name="EncodeMs">Question encoding (dense and hybrid).</param>
/// <param name="StatisticsMs">Gathering cluster-wide BM25 statistics (BM25 and hybrid).</param>
/// <param name="ShardsMs">Fan-out to the shards until the last answered.</param>
/// <param name="MergeMs">k-way merge and fusion.</param>
public sealed record StageTimings(double EncodeMs, double StatisticsMs, double ShardsMs, double MergeMs);

/// <summary>A search's answer. <see cref="Partial"/> is true when some shard had no live replica.</summary>
public sealed record SearchResponse(IReadOnlyList<PassageHit> Hits, double TookMs, StageTimings Timings, bool Partial,
    IReadOnlyList<int> FailedShards);

/// <summary>Outcome of a batch upsert: every passage durable on every (or a quorum of) replica(s).</summary>
public sealed record UpsertResponse(int Upserted, int Shards);

/// <summary>One replica of one shard as the cluster view shows it.</summary>
public sealed record ReplicaStatus(string Silo, bool Reachable, ShardStats? Stats, string? Error);

/// <summary>One shard and its replicas.</summary>
public sealed record ShardStatus(int ShardId, IReadOnlyList<ReplicaStatus> Replicas);

/// <summary>One process of the cluster and its roles.</summary>
public sealed record SiloStatus(string Name, string Address, IReadOnlyList<string> Roles);

/// <summary>The cluster view of <c>GET /v1/cluster</c>.</summary>
public sealed record ClusterStatus(int ShardCount, int ReplicationFactor, int EncoderDimension,
    IReadOnlyList<SiloStatus> Silos, IReadOnlyList<ShardStatus> Shards);
