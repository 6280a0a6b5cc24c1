using DprCluster.Abstractions;
using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Api;

/// <summary>Body of <c>POST /v1/projection</c>.</summary>
public sealed record ProjectionBody
{
    /// <summary>The question.</summary>
    public string? Query { get; init; }

    /// <summary>Top dense hits to project (default 10, at most 100).</summary>
    public int? K { get; init; }

    /// <summary>Random passages to project for context (default 200, at most 800).</summary>
    public int? Sample { get; init; }

    /// <summary>Ids of passages judged relevant (from qrels), projected even when they are not hits; at most 100.</summary>
    public IReadOnlyList<string>? Judged { get; init; }

    /// <summary>Checks the body against the limits above and makes the coordinator's request.</summary>
    public ProjectionRequest ToRequest(ApiOptions options)
    {
        if (string.IsNullOrWhiteSpace(Query))
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "query must be a non-empty string");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(Query) > options.MaxQueryBytes)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"query is longer than {options.MaxQueryBytes} bytes");
        }
        int k = K ?? 10;
        int sample = Sample ?? 200;
        if (k is < 1 or > 100 || sample is < 0 or > 800 || Judged is { Count: > 100 })
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "k must be 1–100, sample 0–800 and judged at most 100 ids");
        }
        var judged = new string[Judged?.Count ?? 0];
        for (int i = 0; i < judged.Length; i++)
        {
            judged[i] = Judged![i] ?? throw new ClusterException(ClusterErrorCodes.InvalidRequest, "judged ids must be strings");
        }
        return new ProjectionRequest(Query, k, sample, judged);
    }
}

/// <summary>Answer of <c>POST /v1/projection</c>: the question first, then passages, in 2-D principal coordinates.</summary>
/// <param name="Points">The points.</param>
/// <param name="ExplainedVariance">Share of variance along x and along y.</param>
/// <param name="Partial">Some shard did not answer.</param>
public sealed record ProjectionResponseBody(IReadOnlyList<ProjectedPointBody> Points, IReadOnlyList<float> ExplainedVariance, bool Partial)
{
    /// <summary>The body of a coordinator answer.</summary>
    public static ProjectionResponseBody From(ProjectionResponse response)
    {
        var points = new ProjectedPointBody[response.Points.Length];
        for (int i = 0; i < points.Length; i++)
        {
            ProjectedPoint p = response.Points[i];
            points[i] = new ProjectedPointBody(p.Kind.ToString().ToLowerInvariant(), p.Id, p.Title, p.Text, p.X, p.Y, p.Score);
        }
        return new ProjectionResponseBody(points, response.ExplainedVariance, response.Partial);
    }
}

/// <summary>One projected point: <c>query</c>, <c>hit</c>, <c>judged</c> or <c>sample</c>.</summary>
public sealed record ProjectedPointBody(string Kind, string? Id, string Title, string Text, float X, float Y, float Score);
