using System.Security.Cryptography;
using System.Text;
using DprCluster.Abstractions;
using Microsoft.AspNetCore.Http;

namespace DprCluster.Silo.Api;

/// <summary>
/// Guards writes with the configured key, sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>;
/// compared in constant time. No configured key means writes are open.
/// </summary>
public sealed class ApiKeyCheck(string? key)
{
    private readonly byte[]? _key = string.IsNullOrEmpty(key) ? null : Encoding.UTF8.GetBytes(key);

    /// <summary>Header carrying the key without the Bearer scheme.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>Throws <see cref="ClusterErrorCodes.Unauthorized"/> unless the request carries the key (or none is configured).</summary>
    public void Require(HttpRequest request)
    {
        if (_key is null)
        {
            return;
        }
        string? presented = null;
        string authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }
        else if (request.Headers.TryGetValue(HeaderName, out var header))
        {
            presented = header.ToString();
        }
        if (presented is null)
        {
            throw new ClusterException(ClusterErrorCodes.Unauthorized,
                $"Writes need the API key: send 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.");
        }
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key))
        {
            throw new ClusterException(ClusterErrorCodes.Unauthorized, "The API key is wrong.");
        }
    }
}
