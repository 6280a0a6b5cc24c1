namespace DprCluster.Silo.Api;

/// <summary>One passage as the REST API reads and writes it.</summary>
public sealed record PassageBody
{
    /// <summary>Unique id; picks the owning shard.</summary>
    public string? Id { get; init; }

    /// <summary>Title (may be empty).</summary>
    public string? Title { get; init; }

    /// <summary>Passage text.</summary>
    public string? Text { get; init; }

    /// <summary>Optional string attributes stored and returned with the passage.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Optional precomputed passage vector (upserts only): stored as given, the encoder is not called. Its length must
    /// be the index's dimension; in one batch either every passage has one or none does.
    /// </summary>
    public float[]? Vector { get; init; }
}

/// <summary>Body of <c>POST /v1/passages</c>: a batch upsert that replaces existing ids.</summary>
public sealed record PassagesBody
{
    /// <summary>The passages; ids must be distinct within the batch.</summary>
    public IReadOnlyList<PassageBody>? Passages { get; init; }
}
