namespace DprCluster.Silo.Configuration;

/// <summary>REST API limits, deadlines and the write key (section <c>Api</c>).</summary>
public sealed record ApiOptions
{
    /// <summary>When set, writes need <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Largest request body; larger ones get 413.</summary>
    public long MaxBodyBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most passages in one upsert (the coordinator's own limit, Coordinator:MaxBatch, also applies).</summary>
    public int MaxBatch { get; init; } = 1000;

    /// <summary>Largest k of a search.</summary>
    public int MaxK { get; init; } = 1000;

    /// <summary>Most questions in one <c>queries</c> search.</summary>
    public int MaxQueries { get; init; } = 64;

    /// <summary>Largest HNSW beam width a search may ask for.</summary>
    public int MaxEf { get; init; } = 4096;

    /// <summary>Deadline of one search request, in milliseconds.</summary>
    public int SearchTimeoutMs { get; init; } = 10_000;

    /// <summary>Deadline of one write or read request, in milliseconds.</summary>
    public int WriteTimeoutMs { get; init; } = 60_000;
}
