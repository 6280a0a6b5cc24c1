using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DprCluster.Silo.WebConsole;

/// <summary>
/// The web console of a gateway: <c>GET /</c> and <c>/console/{file}</c> serve the page, its script and its style from
/// resources embedded in this assembly (nothing fetched from elsewhere), under a Content-Security-Policy that allows
/// only this origin's script, style and API: no inline script or style, no eval, no frames.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>The policy every console response carries.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, (byte[] Bytes, string ContentType, string ETag)> Assets = Load();

    /// <summary>Total bytes of the console's files: everything the page loads.</summary>
    public static long TotalBytes
    {
        get
        {
            long total = 0;
            foreach ((byte[] bytes, _, _) in Assets.Values)
            {
                total += bytes.Length;
            }
            return total;
        }
    }

    /// <summary>Adds the console's routes.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", (HttpContext context) => ServeAsync(context, "index.html")).ExcludeFromDescription();
        routes.MapGet("/console/{file}", (HttpContext context, string file) => ServeAsync(context, file)).ExcludeFromDescription();
    }

    private static Task ServeAsync(HttpContext context, string file)
    {
        HttpResponse response = context.Response;
        if (!Assets.TryGetValue(file, out (byte[] Bytes, string ContentType, string ETag) asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return response.Body.WriteAsync(asset.Bytes, context.RequestAborted).AsTask();
    }

    private static Dictionary<string, (byte[], string, string)> Load()
    {
        const string prefix = "DprCluster.Console.";
        Assembly assembly = typeof(ConsoleEndpoints).Assembly;
        var assets = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] bytes = copy.ToArray();
            string file = name[prefix.Length..];
            string type = Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            assets[file] = (bytes, type, $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
        }
        return assets;
    }
}
