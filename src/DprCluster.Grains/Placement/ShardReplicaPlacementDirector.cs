using DprCluster.Abstractions;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace DprCluster.Grains.Placement;

/// <summary>
/// Maps <c>shard-{s}/replica-{r}</c> to shard silo (s + r) mod N, and <c>shard-silo-{n}</c> to shard silo n, by the silo's name (on Kubernetes the StatefulSet pod
/// name, which <c>UseKubernetesHosting</c> makes the silo name). When that silo is not an active member the activation
/// is refused with <see cref="ShardReplicaUnavailableException"/>: the replica's data is on that silo's disk, so it
/// must never activate anywhere else.
/// </summary>
public sealed class ShardReplicaPlacementDirector(ShardPlacement placement, IClusterMembershipService membership) : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        string silo;
        if (ShardSiloKey.TryParse(key, out ShardSiloKey shardSilo) && shardSilo.Silo < placement.SiloCount)
        {
            silo = placement.SiloNames[shardSilo.Silo];
        }
        else if (ShardReplicaKey.TryParse(key, out ShardReplicaKey replica) &&
            replica.Shard < placement.ShardCount && replica.Replica < placement.ReplicationFactor)
        {
            silo = placement.SiloNames[placement.SiloOf(replica)];
        }
        else
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest,
                $"'{key}' is neither a replica nor a shard silo of this cluster ({placement.ShardCount} shards, " +
                $"{placement.ReplicationFactor} replicas each, {placement.SiloCount} shard silos)");
        }
        ClusterMembershipSnapshot snapshot = membership.CurrentSnapshot;
        foreach (SiloAddress candidate in context.GetCompatibleSilos(target))
        {
            if (snapshot.Members.TryGetValue(candidate, out ClusterMember? member) && member.Status == SiloStatus.Active &&
                string.Equals(member.Name, silo, StringComparison.Ordinal))
            {
                return Task.FromResult(candidate);
            }
        }
        throw new ShardReplicaUnavailableException(key, silo);
    }
}
