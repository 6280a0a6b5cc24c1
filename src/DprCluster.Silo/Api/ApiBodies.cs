using System.Globalization;
using DprCluster.Abstractions;

namespace DprCluster.Silo.Api;

/// <summary>Maps grain messages to REST bodies, so the public JSON stays put when a grain message changes.</summary>
public static class ApiBodies
{
    /// <summary>The body of a search answer.</summary>
    public static SearchResponseBody From(SearchResponse response)
    {
        var replicas = new Dictionary<int, int>(response.ShardTimings.Length);
        var shards = new ShardTimingBody[response.ShardTimings.Length];
        for (int i = 0; i < shards.Length; i++)
        {
            ShardCallTiming s = response.ShardTimings[i];
            replicas[s.Shard] = s.Replica;
            shards[i] = new ShardTimingBody(s.Shard, s.Replica, s.Silo, s.Ms);
        }
        var hits = new HitBody[response.Hits.Length];
        for (int i = 0; i < hits.Length; i++)
        {
            PassageHit hit = response.Hits[i];
            hits[i] = new HitBody(hit.Id, hit.Score, hit.Title, hit.Text, hit.Shard, hit.Metadata,
                replicas.TryGetValue(hit.Shard, out int replica) ? replica : null);
        }
        StageTimings t = response.Timings;
        return new SearchResponseBody(hits, response.TookMs, new TimingsBody(t.EncodeMs, t.StatisticsMs, t.ShardsMs, t.MergeMs),
            response.Partial, response.FailedShards, shards);
    }

    /// <summary>The body of an upsert answer.</summary>
    public static UpsertResponseBody From(UpsertResponse response) =>
        new(response.Upserted, response.Shards, response.Encoded, response.Unchanged, response.EncodeMilliseconds);

    /// <summary>The body of the cluster view.</summary>
    public static ClusterBody From(ClusterStatus status)
    {
        var silos = new SiloBody[status.Silos.Length];
        for (int i = 0; i < silos.Length; i++)
        {
            SiloSummary silo = status.Silos[i];
            silos[i] = new SiloBody(silo.Name, silo.Address, silo.Status, silo.Roles, silo.Gpu);
        }
        var shards = new ShardBody[status.Shards.Length];
        for (int i = 0; i < shards.Length; i++)
        {
            ShardStatus shard = status.Shards[i];
            var replicas = new ReplicaBody[shard.Replicas.Length];
            for (int r = 0; r < replicas.Length; r++)
            {
                ReplicaStatus replica = shard.Replicas[r];
                ShardStats? s = replica.Stats;
                replicas[r] = new ReplicaBody(replica.Replica, replica.Silo, replica.Reachable,
                    s is null ? null : new ShardStatsBody(s.ShardId, s.State, s.Passages, s.DeletedSlots, s.LastLsn, s.SnapshotLsn, s.WalBytes, s.Error,
                        s.Recall, s.ContentDigest.ToString("x16", CultureInfo.InvariantCulture), s.IndexBytes, s.Quantization, s.Unindexed),
                    replica.Error, replica.Lag);
            }
            shards[i] = new ShardBody(shard.ShardId, replicas, shard.WriterLsn);
        }
        EncoderStats? e = status.Encoder;
        return new ClusterBody(status.ShardCount, status.ReplicationFactor, status.EncoderDimension, silos, shards,
            e is null ? null : new EncoderStatsBody(e.Silo, e.QueueLength, e.MaxQueueLength, e.QueryBatches, e.MeanQueryBatch,
                e.PassageBatches, e.MeanPassageBatch));
    }
}
