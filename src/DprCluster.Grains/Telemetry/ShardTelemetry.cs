using System.Diagnostics;
using System.Diagnostics.Metrics;
using DprCluster.Abstractions;
using DprCluster.Grains.Shard;
using static DprCluster.Grains.Telemetry.DprClusterTelemetry;

namespace DprCluster.Grains.Telemetry;

/// <summary>The shard replicas' source and meter: search latency, snapshots, and gauges read from every live replica.</summary>
internal static class ShardTelemetry
{
    public static readonly ActivitySource Source = new(Components.Shard, InstrumentationVersion);

    private static readonly Meter Meter = new(Components.Shard, InstrumentationVersion);

    private static readonly ObservedInstances<ShardReplica> Replicas = new();

    private static readonly Histogram<double> SearchDuration = Meter.CreateHistogram(Metrics.ShardSearchDuration, "s",
        "Duration of one shard replica's search (dense and/or BM25).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Histogram<long> VisitedNodes = Meter.CreateHistogram(Metrics.ShardVisitedNodes, "{node}",
        "Graph nodes one dense search scored: its cost, which grows with ef and with tombstones near the query.", tags: null,
        new InstrumentAdvice<long> { HistogramBucketBoundaries = VisitedNodeBuckets });

    private static readonly Histogram<double> SearchRecall = Meter.CreateHistogram(Metrics.ShardSearchRecall, "1",
        "Recall@k of sampled dense searches against an exact scan of the same replica: drops when updates degrade the graph.",
        tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = RecallBuckets });

    private static readonly Histogram<double> SnapshotDuration = Meter.CreateHistogram(Metrics.SnapshotDuration, "s",
        "Duration of writing one shard snapshot, beside the writer.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Histogram<double> SnapshotWriterPause = Meter.CreateHistogram(Metrics.SnapshotWriterPause, "s",
        "How long the writer paused to freeze a shard's contents for one snapshot.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Counter<long> SnapshotFailures = Meter.CreateCounter<long>(Metrics.SnapshotFailures, "{snapshot}",
        "Snapshots that failed; nothing is lost (the log keeps every record) and the next one retries.");

    private static readonly Histogram<double> CompactionDuration = Meter.CreateHistogram(Metrics.CompactionDuration, "s",
        "Duration of one HNSW graph rebuild, beside the writer.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Counter<long> WriteFailures = Meter.CreateCounter<long>(Metrics.WalWriteFailures, "{append}",
        "Log appends that failed; the replica turned read-only until its disk takes writes again.");

    private static readonly Counter<long> RepairedRecords = Meter.CreateCounter<long>(Metrics.ReplicaRepairedRecords, "{record}",
        "Log records a replica copied from a peer while catching up on what it missed.");

    private static readonly Counter<long> SnapshotInstalls = Meter.CreateCounter<long>(Metrics.ReplicaSnapshotInstalls, "{snapshot}",
        "Peer snapshots a replica installed because the peer's log no longer reached back to what it missed.");

    static ShardTelemetry()
    {
        Meter.CreateObservableGauge(Metrics.ShardPassages, () => Observe(replica => replica.PassageCount), "{passage}",
            "Live passages per shard replica.");
        Meter.CreateObservableGauge(Metrics.ShardTombstones, () => Observe(replica => replica.TombstoneCount), "{slot}",
            "Deleted HNSW slots not yet reused or compacted, per shard replica.");
        Meter.CreateObservableGauge(Metrics.ShardUnindexed, () => Observe(replica => replica.UnindexedCount), "{write}",
            "Acknowledged writes a shard replica holds outside its HNSW graph (searched exactly until its indexer links them).");
        Meter.CreateObservableGauge(Metrics.ShardServing,
            () => Observe(replica => replica.State is ShardState.Serving or ShardState.ReadOnly ? 1 : 0), "{replica}",
            "1 while a shard replica serves searches, 0 while it recovers or after it failed.");
        Meter.CreateObservableGauge(Metrics.ShardReadOnly, () => Observe(replica => replica.State == ShardState.ReadOnly ? 1 : 0), "{replica}",
            "1 while a shard replica refuses writes because its log cannot be written (a full disk), 0 otherwise.");
        Meter.CreateObservableGauge(Metrics.SnapshotSize, () => Observe(replica => replica.SnapshotBytes), "By",
            "Size of a shard replica's newest snapshot.");
    }

    public static void Register(ShardReplica replica) => Replicas.Add(replica);

    public static void Unregister(ShardReplica replica) => Replicas.Remove(replica);

    public static void RecordSearch(KeyValuePair<string, object?> shard, long started) =>
        SearchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, shard);

    public static void RecordVisitedNodes(KeyValuePair<string, object?> shard, int visited) => VisitedNodes.Record(visited, shard);

    public static void RecordRecall(KeyValuePair<string, object?> shard, double? recall)
    {
        if (recall is double measured)
        {
            SearchRecall.Record(measured, shard);
        }
    }

    public static void RecordWriteFailure(KeyValuePair<string, object?> shard, bool diskFull) =>
        WriteFailures.Add(1, shard, new KeyValuePair<string, object?>("disk_full", diskFull));

    public static void RecordSnapshot(KeyValuePair<string, object?> shard, long started) =>
        SnapshotDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, shard);

    public static void RecordWriterPause(KeyValuePair<string, object?> shard, long started) =>
        SnapshotWriterPause.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, shard);

    public static void RecordSnapshotFailure(KeyValuePair<string, object?> shard) => SnapshotFailures.Add(1, shard);

    public static void RecordRepaired(KeyValuePair<string, object?> shard, int records) => RepairedRecords.Add(records, shard);

    public static void RecordSnapshotInstalled(KeyValuePair<string, object?> shard) => SnapshotInstalls.Add(1, shard);

    public static void RecordCompaction(KeyValuePair<string, object?> shard, long started) =>
        CompactionDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, shard);

    private static List<Measurement<long>> Observe(Func<ShardReplica, long> read)
    {
        List<ShardReplica> replicas = Replicas.Alive();
        var measurements = new List<Measurement<long>>(replicas.Count);
        foreach (ShardReplica replica in replicas)
        {
            measurements.Add(new Measurement<long>(read(replica), replica.ShardTag));
        }
        return measurements;
    }
}
