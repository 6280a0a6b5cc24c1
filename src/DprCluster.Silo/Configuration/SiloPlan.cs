using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using DprCluster.Grains.Placement;

namespace DprCluster.Silo.Configuration;

/// <summary>
/// What one silo is, resolved once from <see cref="SiloOptions"/> and <see cref="ClusterOptions"/> and checked to fit
/// together: roles, Orleans name and address, shard ordinal, the placement every silo agrees on, and the membership
/// store. Errors name the setting to fix.
/// </summary>
public sealed record SiloPlan
{
    /// <summary>Roles of this process.</summary>
    public required SiloRoles Roles { get; init; }

    /// <summary>Orleans silo name (a shard silo's is its <see cref="ClusterOptions.ShardSilos"/> entry).</summary>
    public required string SiloName { get; init; }

    /// <summary>This silo's ordinal among the shard silos, or null when it hosts no shards.</summary>
    public required int? ShardOrdinal { get; init; }

    /// <summary>Shards, shard silo names and replication.</summary>
    public required ShardPlacement Placement { get; init; }

    /// <summary>Where this process serves the REST API (gateways) and health endpoints.</summary>
    public required Uri ApiUrl { get; init; }

    /// <summary>Orleans silo-to-silo port.</summary>
    public required int SiloPort { get; init; }

    /// <summary>Orleans client gateway port, 0 for none.</summary>
    public required int GatewayPort { get; init; }

    /// <summary>Address advertised to other silos; null on Kubernetes, where <c>UseKubernetesHosting</c> sets it.</summary>
    public required IPAddress? AdvertisedAddress { get; init; }

    /// <summary>The membership store.</summary>
    public required MembershipProvider Membership { get; init; }

    /// <summary>Redis configuration or PostgreSQL connection string (null for localhost).</summary>
    public required string? MembershipConnectionString { get; init; }

    /// <summary>Whether Kubernetes hosting is on.</summary>
    public required bool Kubernetes { get; init; }

    /// <summary>Shards with a replica on this silo (empty without the shard role).</summary>
    public IReadOnlyList<int> OwnedShards => ShardOrdinal is int ordinal ? Placement.ShardsOn(ordinal) : [];

    /// <summary>Resolves the plan; throws <see cref="ClusterConfigurationException"/> naming the setting to fix.</summary>
    public static SiloPlan Resolve(SiloOptions silo, ClusterOptions cluster)
    {
        SiloRoles roles = SiloRoleNames.Parse(silo.Roles);
        Uri apiUrl = ParseApiUrl(silo.ApiUrl);
        if (silo.SiloPort is < 1 or > 65535 || silo.SiloPort == apiUrl.Port)
        {
            throw new ClusterConfigurationException(
                $"Silo:SiloPort {silo.SiloPort} must be a port in 1..65535 other than the REST API's ({apiUrl.Port}).");
        }
        if (silo.GatewayPort is < 0 or > 65535 || (silo.GatewayPort != 0 && (silo.GatewayPort == silo.SiloPort || silo.GatewayPort == apiUrl.Port)))
        {
            throw new ClusterConfigurationException(
                $"Silo:GatewayPort {silo.GatewayPort} must be 0 (none) or a port other than Silo:SiloPort and the REST API's.");
        }

        string[] shardSilos;
        string? name = silo.Name;
        int? ordinal = null;
        if (cluster.Kubernetes.Enabled)
        {
            shardSilos = StatefulSetPods(cluster.Kubernetes);
            name = PodName(cluster.Kubernetes) ?? name;
            if (roles.HasFlag(SiloRoles.Shard))
            {
                ordinal = Array.IndexOf(shardSilos, name);
                if (ordinal < 0)
                {
                    throw new ClusterConfigurationException(
                        $"Pod '{name}' is not one of the {shardSilos.Length} pods of StatefulSet '{cluster.Kubernetes.ShardStatefulSet}' " +
                        "(Cluster:Kubernetes:ShardStatefulSet, Cluster:Kubernetes:ShardReplicas).");
                }
            }
        }
        else
        {
            shardSilos = cluster.ShardSilos;
            if (shardSilos.Length == 0)
            {
                if (!roles.HasFlag(SiloRoles.Shard))
                {
                    throw new ClusterConfigurationException(
                        "Cluster:ShardSilos names no shard silos; a silo without the shard role needs their names.");
                }
                shardSilos = [name ?? DefaultName(roles)];
            }
            if (roles.HasFlag(SiloRoles.Shard))
            {
                ordinal = silo.Index ?? (name is not null && Array.IndexOf(shardSilos, name) is >= 0 and int found ? found
                    : shardSilos.Length == 1 ? 0
                    : throw new ClusterConfigurationException(
                        $"Neither Silo:Index nor Silo:Name says which of the {shardSilos.Length} Cluster:ShardSilos this silo is."));
                if (ordinal < 0 || ordinal >= shardSilos.Length)
                {
                    throw new ClusterConfigurationException(
                        $"Silo:Index {ordinal} is outside the {shardSilos.Length} Cluster:ShardSilos.");
                }
                if (name is not null && name != shardSilos[ordinal.Value])
                {
                    throw new ClusterConfigurationException(
                        $"Silo:Name '{name}' differs from Cluster:ShardSilos:{ordinal} '{shardSilos[ordinal.Value]}'; replicas are placed by silo name.");
                }
                name = shardSilos[ordinal.Value];
            }
        }
        name ??= DefaultName(roles);

        ShardPlacement placement;
        try
        {
            placement = new ShardPlacement(cluster.ShardCount, shardSilos.Length, cluster.ReplicationFactor, shardSilos);
        }
        catch (ArgumentException e)
        {
            throw new ClusterConfigurationException(
                $"Cluster:ShardCount {cluster.ShardCount}, Cluster:ReplicationFactor {cluster.ReplicationFactor} and " +
                $"{shardSilos.Length} shard silo(s) do not fit: {e.Message.Split(Environment.NewLine)[0]}");
        }

        // One silo alone needs the gateway and the shards; without the encoder it serves precomputed vectors only.
        bool alone = (roles & (SiloRoles.Gateway | SiloRoles.Shard)) == (SiloRoles.Gateway | SiloRoles.Shard) && shardSilos.Length == 1
            && !cluster.Kubernetes.Enabled;
        MembershipProvider membership = ParseProvider(cluster.Membership.Provider, alone);
        if (membership != MembershipProvider.Localhost && string.IsNullOrWhiteSpace(cluster.Membership.ConnectionString))
        {
            throw new ClusterConfigurationException(
                $"Cluster:Membership:Provider is {membership.ToString().ToLowerInvariant()} but Cluster:Membership:ConnectionString is empty.");
        }
        if (membership == MembershipProvider.Localhost && !alone)
        {
            throw new ClusterConfigurationException(
                "Cluster:Membership:Provider localhost serves one silo with the gateway and shard roles; several silos need redis or postgres.");
        }
        if (cluster.Membership.ProbeTimeoutMs < 100 || cluster.Membership.NumMissedProbesLimit < 1)
        {
            throw new ClusterConfigurationException(
                "Cluster:Membership:ProbeTimeoutMs must be at least 100 and Cluster:Membership:NumMissedProbesLimit at least 1.");
        }

        return new SiloPlan
        {
            Roles = roles,
            SiloName = name,
            ShardOrdinal = ordinal,
            Placement = placement,
            ApiUrl = apiUrl,
            SiloPort = silo.SiloPort,
            GatewayPort = silo.GatewayPort,
            AdvertisedAddress = cluster.Kubernetes.Enabled ? null : ResolveAddress(silo.AdvertisedAddress, membership),
            Membership = membership,
            MembershipConnectionString = membership == MembershipProvider.Localhost ? null : cluster.Membership.ConnectionString,
            Kubernetes = cluster.Kubernetes.Enabled,
        };
    }

    private static MembershipProvider ParseProvider(string? provider, bool alone) => provider?.ToLowerInvariant() switch
    {
        null or "" => alone ? MembershipProvider.Localhost : throw new ClusterConfigurationException(
            "Several silos need a membership store: set Cluster:Membership:Provider to redis or postgres and its ConnectionString."),
        "localhost" => MembershipProvider.Localhost,
        "redis" => MembershipProvider.Redis,
        "postgres" or "postgresql" => MembershipProvider.Postgres,
        _ => throw new ClusterConfigurationException(
            $"Unknown Cluster:Membership:Provider '{provider}'; use localhost, redis or postgres."),
    };

    private static IPAddress ResolveAddress(string? configured, MembershipProvider membership)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return IPAddress.TryParse(configured, out IPAddress? address)
                ? address
                : throw new ClusterConfigurationException($"Silo:AdvertisedAddress '{configured}' is not an IP address.");
        }
        if (membership == MembershipProvider.Localhost)
        {
            return IPAddress.Loopback;
        }
        foreach (NetworkInterface network in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (network.OperationalStatus != OperationalStatus.Up || network.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }
            foreach (UnicastIPAddressInformation unicast in network.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                {
                    return unicast.Address;
                }
            }
        }
        return IPAddress.Loopback;
    }

    private static string[] StatefulSetPods(KubernetesOptions kubernetes)
    {
        if (kubernetes.ShardReplicas < 1)
        {
            throw new ClusterConfigurationException("Cluster:Kubernetes:ShardReplicas must be at least 1.");
        }
        var pods = new string[kubernetes.ShardReplicas];
        for (int i = 0; i < pods.Length; i++)
        {
            pods[i] = string.Create(CultureInfo.InvariantCulture, $"{kubernetes.ShardStatefulSet}-{i}");
        }
        return pods;
    }

    private static string? PodName(KubernetesOptions kubernetes) =>
        NonEmpty(kubernetes.PodName) ?? NonEmpty(Environment.GetEnvironmentVariable("POD_NAME")) ??
        NonEmpty(Environment.GetEnvironmentVariable("HOSTNAME"));

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string DefaultName(SiloRoles roles) => roles == SiloRoles.All ? "all" : string.Join('+', SiloRoleNames.Names(roles));

    private static Uri ParseApiUrl(string? text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || url.Scheme != Uri.UriSchemeHttp)
        {
            throw new ClusterConfigurationException(
                $"Silo:ApiUrl '{text}' is not an http://host:port URL (TLS ends in front of the cluster).");
        }
        return url;
    }
}
