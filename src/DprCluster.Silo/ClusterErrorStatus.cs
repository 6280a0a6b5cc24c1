using DprCluster.Abstractions;
using Microsoft.AspNetCore.Http;

namespace DprCluster.Silo;

/// <summary>The HTTP status of each <see cref="ClusterErrorCodes"/> code, shared by the REST API and the CLI client.</summary>
public static class ClusterErrorStatus
{
    /// <summary>Status code for <paramref name="code"/>; unknown codes are 500.</summary>
    public static int Of(string code) => code switch
    {
        ClusterErrorCodes.InvalidRequest => StatusCodes.Status400BadRequest,
        ClusterErrorCodes.DimensionMismatch => StatusCodes.Status400BadRequest,
        ClusterErrorCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ClusterErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ClusterErrorCodes.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ClusterErrorCodes.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ClusterErrorCodes.Overloaded => StatusCodes.Status429TooManyRequests,
        ClusterErrorCodes.ShardUnavailable => StatusCodes.Status503ServiceUnavailable,
        ClusterErrorCodes.ShardRecovering => StatusCodes.Status503ServiceUnavailable,
        ClusterErrorCodes.ShardFailed => StatusCodes.Status503ServiceUnavailable,
        ClusterErrorCodes.ShardCatchingUp => StatusCodes.Status503ServiceUnavailable,
        ClusterErrorCodes.ReplicaBehind => StatusCodes.Status503ServiceUnavailable,
        ClusterErrorCodes.EncoderUnavailable => StatusCodes.Status503ServiceUnavailable,
        ClusterErrorCodes.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        ClusterErrorCodes.InsufficientStorage => StatusCodes.Status507InsufficientStorage,
        ClusterErrorCodes.ShardReadOnly => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
