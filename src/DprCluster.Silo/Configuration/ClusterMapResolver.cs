using System.Globalization;
using DprCluster.Grains.Placement;

namespace DprCluster.Silo.Configuration;

/// <summary>
/// Turns <see cref="SiloOptions"/> and <see cref="ClusterOptions"/> into a <see cref="ClusterMap"/>, checking that the
/// numbers and addresses fit together. On Kubernetes the shard silo list and this silo's index come from the
/// StatefulSet: pod <c>&lt;set&gt;-&lt;ordinal&gt;</c> behind the headless Service.
/// </summary>
public static class ClusterMapResolver
{
    private const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>Resolves the map; throws <see cref="ClusterConfigurationException"/> naming the setting to fix.</summary>
    public static ClusterMap Resolve(SiloOptions silo, ClusterOptions cluster)
    {
        SiloRoles roles = SiloRoleNames.Parse(silo.Roles);
        Uri apiUrl = ParseUrl(silo.ApiUrl, "Silo:ApiUrl");
        Uri internalUrl = ParseUrl(silo.InternalUrl, "Silo:InternalUrl");
        if (apiUrl.Port == internalUrl.Port)
        {
            throw new ClusterConfigurationException(
                $"Silo:ApiUrl and Silo:InternalUrl use the same port {apiUrl.Port}; the REST API (HTTP/1.1) and the " +
                "silo transport (HTTP/2 cleartext) need different ports.");
        }

        IReadOnlyList<Uri> shardSilos;
        IReadOnlyList<Uri> encoderSilos;
        int? index = null;
        if (cluster.Kubernetes.Enabled)
        {
            (shardSilos, encoderSilos) = Discover(cluster.Kubernetes);
            if (roles.HasFlag(SiloRoles.Shard))
            {
                index = OrdinalOf(HostName(cluster.Kubernetes), cluster.Kubernetes.ShardStatefulSet);
            }
        }
        else
        {
            shardSilos = ParseUrls(cluster.ShardSilos, "Cluster:ShardSilos");
            encoderSilos = ParseUrls(cluster.EncoderSilos, "Cluster:EncoderSilos");
            if (shardSilos.Count == 0)
            {
                if (!roles.HasFlag(SiloRoles.Shard))
                {
                    throw new ClusterConfigurationException(
                        "Cluster:ShardSilos lists no shard silos; a silo without the shard role needs their internal URLs.");
                }
                shardSilos = [internalUrl];
            }
            if (roles.HasFlag(SiloRoles.Shard))
            {
                index = silo.Index ?? (shardSilos.Count == 1 ? 0 : throw new ClusterConfigurationException(
                    $"Silo:Index is not set; a shard silo must say which of the {shardSilos.Count} Cluster:ShardSilos it is."));
            }
        }

        if (index is int i && (i < 0 || i >= shardSilos.Count))
        {
            throw new ClusterConfigurationException(
                $"This shard silo's index {i} is outside the {shardSilos.Count} shard silos of the cluster map.");
        }
        if (roles.HasFlag(SiloRoles.Gateway) && !roles.HasFlag(SiloRoles.Encoder) && encoderSilos.Count == 0)
        {
            throw new ClusterConfigurationException(
                "A gateway without the encoder role needs Cluster:EncoderSilos (or Cluster:Kubernetes:EncoderService).");
        }

        ShardPlacement placement;
        try
        {
            placement = new ShardPlacement(cluster.ShardCount, shardSilos.Count, cluster.ReplicationFactor);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ClusterConfigurationException(
                $"Cluster:ShardCount {cluster.ShardCount}, Cluster:ReplicationFactor {cluster.ReplicationFactor} and " +
                $"{shardSilos.Count} shard silo(s) do not fit: {e.Message.Split(Environment.NewLine)[0]}");
        }

        return new ClusterMap
        {
            Roles = roles,
            SiloName = silo.Name ?? DefaultName(roles, index),
            ShardSiloIndex = index,
            Placement = placement,
            ShardSilos = shardSilos,
            EncoderSilos = encoderSilos,
            Gateways = ParseUrls(cluster.Gateways, "Cluster:Gateways"),
            ApiUrl = apiUrl,
            InternalUrl = internalUrl,
        };
    }

    /// <summary>The ordinal at the end of a StatefulSet pod's host name (<c>dprcluster-shard-2</c> → 2).</summary>
    public static int OrdinalOf(string hostName, string statefulSet)
    {
        string prefix = statefulSet + "-";
        if (!hostName.StartsWith(prefix, StringComparison.Ordinal) ||
            !int.TryParse(hostName.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int ordinal))
        {
            throw new ClusterConfigurationException(
                $"Host name '{hostName}' is not a pod of StatefulSet '{statefulSet}' (expected '{prefix}<ordinal>'); " +
                "check Cluster:Kubernetes:ShardStatefulSet.");
        }
        return ordinal;
    }

    private static (IReadOnlyList<Uri> Shards, IReadOnlyList<Uri> Encoders) Discover(KubernetesOptions kubernetes)
    {
        if (kubernetes.ShardReplicas < 1)
        {
            throw new ClusterConfigurationException("Cluster:Kubernetes:ShardReplicas must be at least 1.");
        }
        string ns = Namespace(kubernetes);
        var shards = new Uri[kubernetes.ShardReplicas];
        for (int i = 0; i < shards.Length; i++)
        {
            shards[i] = new Uri(
                $"http://{kubernetes.ShardStatefulSet}-{i}.{kubernetes.ShardService}.{ns}.svc.{kubernetes.ClusterDomain}:{kubernetes.InternalPort}");
        }
        Uri[] encoders = kubernetes.EncoderService is { Length: > 0 } service
            ? [new Uri($"http://{service}.{ns}.svc.{kubernetes.ClusterDomain}:{kubernetes.InternalPort}")]
            : [];
        return (shards, encoders);
    }

    private static string HostName(KubernetesOptions kubernetes)
    {
        if (kubernetes.HostName is { Length: > 0 } configured)
        {
            return configured;
        }
        return Environment.GetEnvironmentVariable("HOSTNAME") is { Length: > 0 } host ? host : Environment.MachineName;
    }

    private static string Namespace(KubernetesOptions kubernetes)
    {
        if (kubernetes.Namespace is { Length: > 0 } configured)
        {
            return configured;
        }
        if (File.Exists(ServiceAccountNamespaceFile))
        {
            return File.ReadAllText(ServiceAccountNamespaceFile).Trim();
        }
        return Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pod ? pod : "default";
    }

    private static string DefaultName(SiloRoles roles, int? index) => roles switch
    {
        SiloRoles.All => "all",
        _ when roles.HasFlag(SiloRoles.Shard) => $"shard-{index}",
        _ => string.Join('+', SiloRoleNames.Names(roles)),
    };

    private static Uri ParseUrl(string? text, string setting)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || url.Scheme != Uri.UriSchemeHttp)
        {
            throw new ClusterConfigurationException(
                $"{setting} '{text}' is not an http://host:port URL (silos speak plain HTTP; TLS ends in front of the cluster).");
        }
        return url;
    }

    private static Uri[] ParseUrls(string[]? texts, string setting)
    {
        if (texts is null)
        {
            return [];
        }
        var urls = new Uri[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            urls[i] = ParseUrl(texts[i], $"{setting}:{i}");
        }
        return urls;
    }
}
