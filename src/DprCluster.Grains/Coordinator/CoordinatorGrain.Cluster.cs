using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using Orleans.Runtime;

namespace DprCluster.Grains.Coordinator;

public sealed partial class CoordinatorGrain
{
    /// <inheritdoc />
    public async Task<ClusterStatus> GetClusterAsync(CancellationToken cancellationToken)
    {
        var shards = new Task<ShardStatus>[Placement.ShardCount];
        for (int shard = 0; shard < shards.Length; shard++)
        {
            shards[shard] = ShardStatusAsync(shard, cancellationToken);
        }
        Task<EncoderStats?> encoder = EncoderStatsAsync(cancellationToken);
        return new ClusterStatus(Placement.ShardCount, Placement.ReplicationFactor, _layout.Dimension, Silos(),
            await Task.WhenAll(shards), await encoder);
    }

    /// <summary>The queue and batching of whichever encoder silo answers; null when none does in time.</summary>
    private async Task<EncoderStats?> EncoderStatsAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ShardTimeout);
        try
        {
            return await GrainFactory.GetGrain<IEncoderGrain>(0).GetStatsAsync(deadline.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Every member membership knows, with the roles it published as silo metadata.</summary>
    private SiloSummary[] Silos()
    {
        var silos = new List<SiloSummary>();
        foreach (ClusterMember member in _membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Dead)
            {
                continue;
            }
            IReadOnlyDictionary<string, string> metadata = _metadata.GetSiloMetadata(member.SiloAddress).Metadata;
            string[] roles = metadata.TryGetValue(SiloMetadataKeys.Roles, out string? list) ? list.Split(',') : [];
            bool gpu = metadata.TryGetValue(SiloMetadataKeys.Gpu, out string? flag) && flag == "true";
            silos.Add(new SiloSummary(member.Name, member.SiloAddress.ToString(), member.Status.ToString().ToLowerInvariant(), roles, gpu));
        }
        silos.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return [.. silos];
    }

    /// <summary>The shard's replicas and its writer's view, with each replica's lag behind the furthest LSN known.</summary>
    private async Task<ShardStatus> ShardStatusAsync(int shard, CancellationToken cancellationToken)
    {
        ReplicaRef[] replicas = _replicas[shard];
        var statuses = new Task<ReplicaStatus>[replicas.Length];
        for (int r = 0; r < replicas.Length; r++)
        {
            statuses[r] = ReplicaStatusAsync(replicas[r], cancellationToken);
        }
        ShardWriterStatus? writer = await WriterStatusAsync(shard, cancellationToken);
        ReplicaStatus[] answered = await Task.WhenAll(statuses);
        long target = writer?.LastLsn ?? 0;
        foreach (long? lsn in writer?.ReplicaLsns ?? [])
        {
            target = Math.Max(target, lsn ?? 0);
        }
        foreach (ReplicaStatus replica in answered)
        {
            target = Math.Max(target, replica.Stats?.LastLsn ?? 0);
        }
        for (int r = 0; r < answered.Length; r++)
        {
            long? known = answered[r].Stats is { State: not ShardState.Recovering } stats ? stats.LastLsn
                : writer is not null && r < writer.ReplicaLsns.Length ? writer.ReplicaLsns[r] : null;
            answered[r] = answered[r] with { Lag = known is long lsn ? target - lsn : null };
        }
        return new ShardStatus(shard, answered, writer?.LastLsn);
    }

    private async Task<ShardWriterStatus?> WriterStatusAsync(int shard, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ShardTimeout);
        try
        {
            return await GrainFactory.GetGrain<IShardWriterGrain>(shard).GetStatusAsync(deadline.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private async Task<ReplicaStatus> ReplicaStatusAsync(ReplicaRef replica, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ShardTimeout);
        try
        {
            ShardStats stats = await replica.Grain.GetStatsAsync(deadline.Token);
            return new ReplicaStatus(replica.Replica, replica.Silo, true, stats, stats.Error);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ReplicaStatus(replica.Replica, replica.Silo, false, null, e.Message);
        }
    }
}
