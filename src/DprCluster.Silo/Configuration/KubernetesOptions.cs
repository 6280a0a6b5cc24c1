namespace DprCluster.Silo.Configuration;

/// <summary>
/// Kubernetes discovery (section <c>Cluster:Kubernetes</c>): shard silos are a StatefulSet; pod <c>&lt;set&gt;-&lt;i&gt;</c>
/// is silo i and answers at <c>&lt;set&gt;-&lt;i&gt;.&lt;service&gt;.&lt;namespace&gt;.svc.&lt;domain&gt;</c> through the headless Service.
/// </summary>
public sealed record KubernetesOptions
{
    /// <summary>Turns discovery on.</summary>
    public bool Enabled { get; init; }

    /// <summary>Name of the shard StatefulSet (pod names are this plus <c>-&lt;ordinal&gt;</c>).</summary>
    public string ShardStatefulSet { get; init; } = "dprcluster-shard";

    /// <summary>Headless Service governing the shard StatefulSet.</summary>
    public string ShardService { get; init; } = "dprcluster-shard";

    /// <summary>Replicas of the shard StatefulSet: N, the number of shard silos.</summary>
    public int ShardReplicas { get; init; } = 1;

    /// <summary>Service in front of the encoder pods; null when gateways encode themselves.</summary>
    public string? EncoderService { get; init; }

    /// <summary>Namespace; null reads the pod's service-account namespace file, then <c>POD_NAMESPACE</c>, then <c>default</c>.</summary>
    public string? Namespace { get; init; }

    /// <summary>Cluster DNS domain.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>Port of the internal (h2c) endpoint on every pod.</summary>
    public int InternalPort { get; init; } = 8081;

    /// <summary>This pod's host name; null reads <c>HOSTNAME</c>, then the machine name.</summary>
    public string? HostName { get; init; }
}
