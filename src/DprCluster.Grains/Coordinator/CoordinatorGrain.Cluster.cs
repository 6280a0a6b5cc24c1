using DprCluster.Grains.Contracts;
using DprCluster.Grains.Placement;

namespace DprCluster.Grains.Coordinator;

public sealed partial class CoordinatorGrain
{
    /// <inheritdoc />
    public async Task<ClusterStatus> GetClusterAsync(CancellationToken cancellationToken)
    {
        ShardPlacement placement = _directory.Placement;
        var shards = new Task<ShardStatus>[placement.ShardCount];
        for (int shard = 0; shard < shards.Length; shard++)
        {
            shards[shard] = ShardStatusAsync(shard, cancellationToken);
        }
        return new ClusterStatus(placement.ShardCount, placement.ReplicationFactor, _directory.Encoder.Dimension,
            _directory.Silos, await Task.WhenAll(shards).ConfigureAwait(false));
    }

    private async Task<ShardStatus> ShardStatusAsync(int shard, CancellationToken cancellationToken)
    {
        IReadOnlyList<ShardReplica> replicas = _directory.ReplicasOf(shard);
        var statuses = new Task<ReplicaStatus>[replicas.Count];
        for (int r = 0; r < replicas.Count; r++)
        {
            statuses[r] = ReplicaStatusAsync(replicas[r], cancellationToken);
        }
        return new ShardStatus(shard, await Task.WhenAll(statuses).ConfigureAwait(false));
    }

    private async Task<ReplicaStatus> ReplicaStatusAsync(ShardReplica replica, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ShardTimeout);
        try
        {
            ShardStats stats = await replica.Grain.GetStatsAsync(deadline.Token).ConfigureAwait(false);
            return new ReplicaStatus(replica.Silo, true, stats, stats.Error);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ReplicaStatus(replica.Silo, false, null, e.Message);
        }
    }
}
