using System.Diagnostics;
using DprCluster.Grains.Telemetry;

namespace DprCluster.Grains.Shard;

public sealed partial class ShardReplica
{
    /// <summary>The <c>shard</c> attribute of this replica's spans and metrics, boxed once.</summary>
    internal KeyValuePair<string, object?> ShardTag { get; }

    /// <summary>Live passages, for the passages gauge.</summary>
    internal long PassageCount => _data?.Passages.Count ?? 0;

    /// <summary>Deleted graph slots not yet reused, for the tombstones gauge.</summary>
    internal long TombstoneCount => _data?.Vectors.DeletedCount ?? 0;

    /// <summary>Writes waiting for the graph, for the unindexed gauge.</summary>
    internal long UnindexedCount => _data?.Vectors.Unindexed ?? 0;

    /// <summary>Size of the newest snapshot written or recovered from, for the snapshot size gauge.</summary>
    internal long SnapshotBytes => Interlocked.Read(ref _snapshotBytes);

    private Activity? StartSpan(string name)
    {
        Activity? span = SampledSpans.Start(ShardTelemetry.Source, name);
        span?.SetTag(ShardTag.Key, ShardTag.Value);
        return span;
    }

    /// <summary>
    /// Starts a group commit's span: a child of the first sampled writer's span and linked to every other sampled
    /// writer's, so each write's trace reaches the log append and apply that made it durable. A group whose writers
    /// were all sampled out gets an unrecorded one.
    /// </summary>
    private Activity? StartCommitSpan(List<PendingWrite> group)
    {
        var callers = new ActivityContext[group.Count];
        for (int i = 0; i < callers.Length; i++)
        {
            callers[i] = group[i].Caller;
        }
        Activity? span = SampledSpans.StartGroup(ShardTelemetry.Source, DprClusterTelemetry.Spans.Commit, callers);
        span?.SetTag(ShardTag.Key, ShardTag.Value);
        return span;
    }
}
