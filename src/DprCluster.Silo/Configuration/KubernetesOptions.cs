namespace DprCluster.Silo.Configuration;

/// <summary>
/// Kubernetes hosting (section <c>Cluster:Kubernetes</c>): Orleans' <c>UseKubernetesHosting</c> takes the silo name and
/// address from <c>POD_NAME</c> and <c>POD_IP</c>; the shard silos are the StatefulSet's pods
/// <c>&lt;set&gt;-0</c> … <c>&lt;set&gt;-(N−1)</c>, and a shard pod's ordinal is its index.
/// </summary>
public sealed record KubernetesOptions
{
    /// <summary>Turns Kubernetes hosting on.</summary>
    public bool Enabled { get; init; }

    /// <summary>Name of the shard StatefulSet (pod names are this plus <c>-&lt;ordinal&gt;</c>).</summary>
    public string ShardStatefulSet { get; init; } = "dprcluster-shard";

    /// <summary>Replicas of the shard StatefulSet: N, the number of shard silos.</summary>
    public int ShardReplicas { get; init; } = 1;

    /// <summary>This pod's name; null reads <c>POD_NAME</c>, then <c>HOSTNAME</c>.</summary>
    public string? PodName { get; init; }
}
