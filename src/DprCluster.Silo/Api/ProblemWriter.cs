using System.Text.Json;
using DprCluster.Abstractions;
using Microsoft.AspNetCore.Http;

namespace DprCluster.Silo.Api;

/// <summary>Writes RFC 7807 <c>application/problem+json</c> answers carrying a stable error code.</summary>
public static class ProblemWriter
{
    /// <summary>Media type of problem documents.</summary>
    public const string MediaType = "application/problem+json";

    /// <summary>Writes the problem for <paramref name="code"/> with <paramref name="detail"/>, unless the response has started.</summary>
    public static Task WriteAsync(HttpContext context, string code, string detail) =>
        WriteAsync(context, code, detail, ClusterErrorStatus.Of(code));

    /// <summary>Writes the problem with an explicit <paramref name="status"/> (e.g. 405 for a code that is otherwise 400).</summary>
    public static async Task WriteAsync(HttpContext context, string code, string detail, int status)
    {
        HttpResponse response = context.Response;
        if (response.HasStarted)
        {
            return;
        }
        response.Clear();
        response.StatusCode = status;
        response.ContentType = MediaType;
        if (status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }
        if (status == StatusCodes.Status429TooManyRequests)
        {
            // Overload passes: a client that waits a second usually gets in.
            response.Headers.RetryAfter = "1";
        }
        var problem = new ProblemDocument($"urn:dprcluster:error:{code}", TitleOf(code), status, detail,
            context.Request.Path.Value ?? string.Empty, code);
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, ApiJsonContext.WriterOptions))
        {
            JsonSerializer.Serialize(writer, problem, ApiJsonContext.Default.ProblemDocument);
        }
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static string TitleOf(string code) => code switch
    {
        ClusterErrorCodes.InvalidRequest => "Invalid request",
        ClusterErrorCodes.DimensionMismatch => "Vector dimension mismatch",
        ClusterErrorCodes.NotFound => "Not found",
        ClusterErrorCodes.ShardUnavailable => "Shard unavailable",
        ClusterErrorCodes.ShardRecovering => "Shard recovering",
        ClusterErrorCodes.ShardFailed => "Shard failed",
        ClusterErrorCodes.ShardCatchingUp => "Shard catching up",
        ClusterErrorCodes.ReplicaBehind => "Replica behind",
        ClusterErrorCodes.EncoderUnavailable => "Encoder unavailable",
        ClusterErrorCodes.Overloaded => "Overloaded",
        ClusterErrorCodes.DeadlineExceeded => "Deadline exceeded",
        ClusterErrorCodes.Unauthorized => "Unauthorized",
        ClusterErrorCodes.PayloadTooLarge => "Payload too large",
        ClusterErrorCodes.UnsupportedMediaType => "Unsupported media type",
        ClusterErrorCodes.InsufficientStorage => "Insufficient storage",
        ClusterErrorCodes.ShardReadOnly => "Shard read-only",
        _ => "Internal error",
    };
}
