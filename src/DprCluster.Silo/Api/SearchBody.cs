namespace DprCluster.Silo.Api;

/// <summary>Body of <c>POST /v1/search</c>: exactly one of <see cref="Query"/> or <see cref="Queries"/>.</summary>
public sealed record SearchBody
{
    /// <summary>One question.</summary>
    public string? Query { get; init; }

    /// <summary>Several questions answered in one call (the response then carries <c>results</c>).</summary>
    public IReadOnlyList<string>? Queries { get; init; }

    /// <summary>Hits to return (default 10).</summary>
    public int? K { get; init; }

    /// <summary><c>dense</c> (default), <c>bm25</c> or <c>hybrid</c>.</summary>
    public string? Mode { get; init; }

    /// <summary>HNSW beam width; the shards' default when absent.</summary>
    public int? Ef { get; init; }

    /// <summary>
    /// Hybrid fusion: <c>normalized</c> (default: min-max normalised BM25 + 0.75 · dense), <c>rrf</c> (k = 60) or
    /// <c>linear</c> (DPR's raw BM25 + 1.1 · dense).
    /// </summary>
    public string? Fusion { get; init; }

    /// <summary>Whether hits carry title, text and metadata (default true); false returns ids, scores and shards only.</summary>
    public bool? IncludeText { get; init; }

    /// <summary>
    /// A precomputed question vector (as long as the index's vectors), used instead of encoding <c>query</c>: for
    /// passages imported with their own vectors. Dense search may then leave <c>query</c> out; hybrid still needs it.
    /// </summary>
    public float[]? Vector { get; init; }
}
