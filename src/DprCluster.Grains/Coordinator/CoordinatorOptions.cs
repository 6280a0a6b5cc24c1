using DprCluster.Text.Analysis;

namespace DprCluster.Grains.Coordinator;

/// <summary>Limits and policies of a coordinator.</summary>
public sealed record CoordinatorOptions
{
    /// <summary>Deadline for one shard call (a search's fan-out, a write's replica ack).</summary>
    public TimeSpan ShardTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a write keeps retrying a shard writer that cannot be reached (its silo died and membership has not yet
    /// moved it), within the request's own deadline.
    /// </summary>
    public TimeSpan WriterFailover { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest k a search may ask for.</summary>
    public int MaxK { get; init; } = 1000;

    /// <summary>Largest number of passages in one upsert.</summary>
    public int MaxBatch { get; init; } = 1000;

    /// <summary>Hits each list contributes to a hybrid fusion (at least k).</summary>
    public int HybridDepth { get; init; } = 100;

    /// <summary>Replica acks a write needs; null means every replica of the shard.</summary>
    public int? WriteQuorum { get; init; }

    /// <summary>Passages encoded per encoder call while ingesting.</summary>
    public int EncodeBatch { get; init; } = 256;

    /// <summary>Analyzer for BM25 queries; must match the shards'.</summary>
    public EnglishAnalyzerOptions Analyzer { get; init; } = new();
}
