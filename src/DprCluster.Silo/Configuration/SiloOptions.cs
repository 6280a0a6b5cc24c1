namespace DprCluster.Silo.Configuration;

/// <summary>This process: its roles, name, listening addresses and data directory (configuration section <c>Silo</c>).</summary>
public sealed record SiloOptions
{
    /// <summary>Role list: <c>gateway</c>, <c>shard</c>, <c>encoder</c>, comma-separated, or <c>all</c>.</summary>
    public string Roles { get; init; } = "all";

    /// <summary>
    /// The Orleans silo name. A shard silo's name is its entry in <see cref="ClusterOptions.ShardSilos"/> (on Kubernetes
    /// the pod name), because replicas are placed by silo name; other silos default to their role list.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>Position of this shard silo in <see cref="ClusterOptions.ShardSilos"/> (on Kubernetes: the pod ordinal).</summary>
    public int? Index { get; init; }

    /// <summary>REST API and health endpoints (HTTP/1.1), on gateway silos; health only elsewhere.</summary>
    public string ApiUrl { get; init; } = "http://localhost:8080";

    /// <summary>Orleans silo-to-silo port.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>
    /// Orleans client gateway port; 0 (the default) serves none, since the REST API is co-hosted in the gateway silos.
    /// Open it only for operators' Orleans clients (tests, tools) on a trusted network.
    /// </summary>
    public int GatewayPort { get; init; }

    /// <summary>
    /// Address other silos reach this one at; default loopback for a single silo, else the host's first IPv4 address
    /// (on Kubernetes <c>POD_IP</c>, set by <c>UseKubernetesHosting</c>).
    /// </summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>Root of the shard directories (<c>&lt;root&gt;/shard-&lt;id&gt;</c>).</summary>
    public string DataDirectory { get; init; } = "./data";
}
