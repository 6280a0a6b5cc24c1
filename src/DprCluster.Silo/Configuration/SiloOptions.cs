namespace DprCluster.Silo.Configuration;

/// <summary>This process: its roles, name, listening addresses and data directory (configuration section <c>Silo</c>).</summary>
public sealed record SiloOptions
{
    /// <summary>Role list: <c>gateway</c>, <c>shard</c>, <c>encoder</c>, comma-separated, or <c>all</c>.</summary>
    public string Roles { get; init; } = "all";

    /// <summary>Name shown in the cluster view; defaults to the role and index (e.g. <c>shard-1</c>).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Position of this silo in <see cref="ClusterOptions.ShardSilos"/> (shard role). On Kubernetes it comes from the
    /// StatefulSet ordinal instead.
    /// </summary>
    public int? Index { get; init; }

    /// <summary>REST API and health endpoints (HTTP/1.1).</summary>
    public string ApiUrl { get; init; } = "http://localhost:8080";

    /// <summary>Silo-to-silo transport endpoint (HTTP/2 cleartext only); a different port from <see cref="ApiUrl"/>.</summary>
    public string InternalUrl { get; init; } = "http://localhost:8081";

    /// <summary>Root of the shard directories (<c>&lt;root&gt;/shard-&lt;id&gt;</c>).</summary>
    public string DataDirectory { get; init; } = "./data";
}
