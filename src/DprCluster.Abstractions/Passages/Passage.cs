namespace DprCluster.Abstractions;

/// <summary>A passage as users write and read it. Ids are strings (BEIR and SQuAD ids are).</summary>
/// <param name="Id">Unique id; its stable hash picks the owning shard.</param>
/// <param name="Title">Title, encoded with the text as DPR's pair (title, text).</param>
/// <param name="Text">Passage text.</param>
/// <param name="Metadata">Optional string attributes stored and returned with the passage.</param>
[GenerateSerializer, Immutable, Alias("dpr.Passage")]
public sealed record Passage(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string Text,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>A passage with its passage-encoder vector, as a shard stores it.</summary>
/// <param name="Passage">The passage.</param>
/// <param name="Vector">Its passage-encoder vector.</param>
[GenerateSerializer, Immutable, Alias("dpr.EncodedPassage")]
public sealed record EncodedPassage([property: Id(0)] Passage Passage, [property: Id(1)] float[] Vector);

/// <summary>What the passage encoder reads of a passage: DPR's pair (title, text).</summary>
/// <param name="Title">Title (may be empty).</param>
/// <param name="Text">Passage text.</param>
[GenerateSerializer, Immutable, Alias("dpr.PassageContent")]
public sealed record PassageContent([property: Id(0)] string Title, [property: Id(1)] string Text);
