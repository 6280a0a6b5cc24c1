namespace DprCluster.Grains.Contracts;

/// <summary>A passage as users write and read it. Ids are strings (BEIR and SQuAD ids are).</summary>
/// <param name="Id">Unique id; its stable hash picks the owning shard.</param>
/// <param name="Title">Title, encoded with the text as DPR's pair (title, text).</param>
/// <param name="Text">Passage text.</param>
/// <param name="Metadata">Optional string attributes stored and returned with the passage.</param>
public sealed record Passage(string Id, string Title, string Text, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>A passage with its passage-encoder vector, as a shard stores it.</summary>
public sealed record EncodedPassage(Passage Passage, float[] Vector);
