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

    /// <summary>Most UTF-8 bytes of one question (the encoder reads at most its model's max length of tokens anyway).</summary>
    public int MaxQueryBytes { get; init; } = 2048;

    /// <summary>Most hits one search request may ask for: questions × k.</summary>
    public int MaxHitsPerRequest { get; init; } = 2000;

    /// <summary>Most bytes of passage titles, texts and metadata one search answer may carry (ask for fewer hits, or include_text: false).</summary>
    public long MaxResponseBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Cost above which a search is expensive: questions × candidates per list (k, or the hybrid depth) × max(1, ef / 256).
    /// Expensive searches run at most <see cref="MaxConcurrentExpensive"/> at a time per gateway; the rest get 429.
    /// </summary>
    public int ExpensiveCost { get; init; } = 1000;

    /// <summary>Expensive searches in flight per gateway; small searches never wait for them.</summary>
    public int MaxConcurrentExpensive { get; init; } = 2;

    /// <summary>Deadline of one search request, in milliseconds.</summary>
    public int SearchTimeoutMs { get; init; } = 10_000;

    /// <summary>Deadline of one write or read request, in milliseconds.</summary>
    public int WriteTimeoutMs { get; init; } = 60_000;
}
