namespace DprCluster.Abstractions;

/// <summary>What a point of an embedding-space projection stands for.</summary>
public enum ProjectedKind
{
    /// <summary>The question.</summary>
    Query,

    /// <summary>One of its top dense hits.</summary>
    Hit,

    /// <summary>A passage judged relevant to the question (from qrels the caller sent).</summary>
    Judged,

    /// <summary>A passage drawn at random from the shards, for context.</summary>
    Sample,
}

/// <summary>A 2-D principal-component projection of a question, its top hits, judged passages and a sample.</summary>
/// <param name="Query">The question.</param>
/// <param name="K">Top dense hits to include.</param>
/// <param name="Sample">Random passages to include (spread over the shards).</param>
/// <param name="Judged">Ids of passages judged relevant, to include even when they are not hits.</param>
[GenerateSerializer, Immutable, Alias("dpr.ProjectionRequest")]
public sealed record ProjectionRequest(
    [property: Id(0)] string Query,
    [property: Id(1)] int K,
    [property: Id(2)] int Sample,
    [property: Id(3)] string[] Judged);

/// <summary>One projected point.</summary>
/// <param name="Kind">Question, hit, judged passage or sample.</param>
/// <param name="Id">Passage id (null for the question).</param>
/// <param name="Title">Passage title, or the question.</param>
/// <param name="Text">Passage text (at most a few hundred characters), or empty.</param>
/// <param name="X">First principal coordinate.</param>
/// <param name="Y">Second principal coordinate.</param>
/// <param name="Score">Dot product with the question.</param>
[GenerateSerializer, Immutable, Alias("dpr.ProjectedPoint")]
public sealed record ProjectedPoint(
    [property: Id(0)] ProjectedKind Kind,
    [property: Id(1)] string? Id,
    [property: Id(2)] string Title,
    [property: Id(3)] string Text,
    [property: Id(4)] float X,
    [property: Id(5)] float Y,
    [property: Id(6)] float Score);

/// <summary>The projection: the question first, then passages; each passage appears once (hit before judged before sample).</summary>
/// <param name="Points">The points.</param>
/// <param name="ExplainedVariance">Share of the points' variance along each of the two axes.</param>
/// <param name="Partial">Some shard did not answer.</param>
[GenerateSerializer, Immutable, Alias("dpr.ProjectionResponse")]
public sealed record ProjectionResponse(
    [property: Id(0)] ProjectedPoint[] Points,
    [property: Id(1)] float[] ExplainedVariance,
    [property: Id(2)] bool Partial);
