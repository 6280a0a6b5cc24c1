using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using Microsoft.AspNetCore.Http;

namespace DprCluster.Silo.Hosting;

/// <summary>
/// Request-line and header limits checked before routing, so an overlong URL (414) or header block (431) gets a
/// problem document like every other refusal. Kestrel's own limits sit at twice these, as a backstop.
/// </summary>
internal static class RequestLimits
{
    /// <summary>Most bytes of path and query string.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>Most bytes of all header names and values.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    public static Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        HttpRequest request = context.Request;
        long line = request.Path.Value?.Length ?? 0;
        line += request.QueryString.Value?.Length ?? 0;
        if (line > MaxRequestLineBytes)
        {
            return ProblemWriter.WriteAsync(context, ClusterErrorCodes.InvalidRequest,
                $"The URL has {line} characters; the limit is {MaxRequestLineBytes}.", StatusCodes.Status414UriTooLong);
        }
        long headers = 0;
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in request.Headers)
        {
            headers += header.Key.Length;
            foreach (string? value in header.Value)
            {
                headers += value?.Length ?? 0;
            }
        }
        return headers > MaxHeaderBytes
            ? ProblemWriter.WriteAsync(context, ClusterErrorCodes.InvalidRequest,
                $"The request's headers hold {headers} characters; the limit is {MaxHeaderBytes}.", StatusCodes.Status431RequestHeaderFieldsTooLarge)
            : next(context);
    }
}
