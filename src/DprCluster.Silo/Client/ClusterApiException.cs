using DprCluster.Silo.Api;

namespace DprCluster.Silo.Client;

/// <summary>The REST API answered with an error; <see cref="Problem"/> holds its problem+json document when it sent one.</summary>
public sealed class ClusterApiException(int status, ProblemDocument? problem, string message) : Exception(message)
{
    /// <summary>HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>The problem document, or null when the body was not one.</summary>
    public ProblemDocument? Problem { get; } = problem;

    /// <summary>The stable error code, or null.</summary>
    public string? Code => Problem?.Code;
}
