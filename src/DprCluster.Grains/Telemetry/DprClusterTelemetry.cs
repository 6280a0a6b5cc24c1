namespace DprCluster.Grains.Telemetry;

/// <summary>
/// Every name the cluster's traces and metrics use, in one place so code, dashboards and alert rules agree. Each
/// component has one <see cref="System.Diagnostics.ActivitySource"/> and one <see cref="System.Diagnostics.Metrics.Meter"/>
/// named after it. Metric names follow OpenTelemetry's semantic conventions (dotted, unit not in the name); the
/// Prometheus exposition turns <c>dprcluster.search.duration</c> in seconds into <c>dprcluster_search_duration_seconds</c>.
/// </summary>
public static class DprClusterTelemetry
{
    /// <summary>Version stamped on every source and meter.</summary>
    public const string InstrumentationVersion = "1.0.0";

    /// <summary>Source and meter names of the components.</summary>
    public static class Components
    {
        /// <summary>Searches, writes and fan-out on gateway silos.</summary>
        public const string Coordinator = "DprCluster.Coordinator";

        /// <summary>Shard replicas: searches, group commits, snapshots.</summary>
        public const string Shard = "DprCluster.Shard";

        /// <summary>Question and passage encoders with dynamic batching.</summary>
        public const string Encoder = "DprCluster.Encoder";

        /// <summary>The shards' write-ahead logs.</summary>
        public const string Wal = "DprCluster.Wal";

        /// <summary>The shards' writers: write order and replica lag.</summary>
        public const string Replication = "DprCluster.Replication";

        /// <summary>The silo process: host and health.</summary>
        public const string Silo = "DprCluster.Silo";

        /// <summary>All of the above, for registering with a tracer or meter provider.</summary>
        public static IReadOnlyList<string> All { get; } = [Coordinator, Shard, Encoder, Wal, Replication, Silo];
    }

    /// <summary>Span names.</summary>
    public static class Spans
    {
        /// <summary>One search on the coordinator.</summary>
        public const string Search = "coordinator.search";

        /// <summary>Encoding the question.</summary>
        public const string Encode = "coordinator.encode";

        /// <summary>Gathering cluster-wide BM25 statistics.</summary>
        public const string Statistics = "coordinator.statistics";

        /// <summary>One shard's call (on whichever replica answers).</summary>
        public const string ShardCall = "coordinator.shard_call";

        /// <summary>k-way merge and fusion.</summary>
        public const string Merge = "coordinator.merge";

        /// <summary>One batch upsert on the coordinator.</summary>
        public const string Upsert = "coordinator.upsert";

        /// <summary>One delete on the coordinator.</summary>
        public const string Delete = "coordinator.delete";

        /// <summary>One batch of a shard's writer: numbered, sent to every replica, settled by the write quorum.</summary>
        public const string WriterCommit = "writer.commit";

        /// <summary>A shard replica's search.</summary>
        public const string ShardSearch = "shard.search";

        /// <summary>A shard replica's BM25 statistics export.</summary>
        public const string ShardStatistics = "shard.statistics";

        /// <summary>One group commit: log append, then apply.</summary>
        public const string Commit = "shard.commit";

        /// <summary>Applying logged records to the graph, postings and store.</summary>
        public const string Apply = "shard.apply";

        /// <summary>Writing a snapshot.</summary>
        public const string Snapshot = "shard.snapshot";

        /// <summary>A graph compaction beside the writer.</summary>
        public const string Compaction = "shard.compaction";

        /// <summary>One log append (write and fsync).</summary>
        public const string WalAppend = "wal.append";

        /// <summary>An encoder call for questions or passages.</summary>
        public const string EncoderEncode = "encoder.encode";
    }

    /// <summary>Metric names (OpenTelemetry style; see the class remarks for the Prometheus form).</summary>
    public static class Metrics
    {
        /// <summary>Histogram, seconds: a search's duration by <c>mode</c> and <c>stage</c> (stage <c>total</c> is the whole search).</summary>
        public const string SearchDuration = "dprcluster.search.duration";

        /// <summary>Counter: searches answered without some shard, by <c>mode</c>.</summary>
        public const string SearchPartial = "dprcluster.search.partial";

        /// <summary>Counter: failed calls to one replica (the coordinator then tried the next), by <c>operation</c> and <c>error.type</c>.</summary>
        public const string ReplicaFailures = "dprcluster.replica.failures";

        /// <summary>Counter: requests refused because a component was overloaded, by <c>operation</c>.</summary>
        public const string RequestsRejected = "dprcluster.requests.rejected";

        /// <summary>Counter: passages written (upserted or deleted) through the coordinator, by <c>operation</c>.</summary>
        public const string IngestPassages = "dprcluster.ingest.passages";

        /// <summary>Counter, bytes: UTF-8 size of the titles and texts upserted.</summary>
        public const string IngestBytes = "dprcluster.ingest.bytes";

        /// <summary>Histogram, seconds: one shard replica's search, by <c>shard</c>.</summary>
        public const string ShardSearchDuration = "dprcluster.shard.search.duration";

        /// <summary>Histogram: graph nodes one dense search scored, by <c>shard</c>.</summary>
        public const string ShardVisitedNodes = "dprcluster.shard.search.visited_nodes";

        /// <summary>
        /// Histogram, ratio: recall@k of sampled dense searches against an exact scan of the same replica, by <c>shard</c>
        /// (see <c>ShardOptions.RecallProbeIntervalMs</c>).
        /// </summary>
        public const string ShardSearchRecall = "dprcluster.shard.search.recall";

        /// <summary>Gauge: live passages per shard replica.</summary>
        public const string ShardPassages = "dprcluster.shard.passages";

        /// <summary>Gauge: deleted HNSW slots not yet reused or compacted away, per shard replica.</summary>
        public const string ShardTombstones = "dprcluster.shard.tombstones";

        /// <summary>Gauge: acknowledged writes a shard replica holds outside its graph, searched exactly until the indexer links them.</summary>
        public const string ShardUnindexed = "dprcluster.shard.unindexed";

        /// <summary>Gauge: 1 while a shard replica serves, 0 while it recovers or after it failed.</summary>
        public const string ShardServing = "dprcluster.shard.serving";

        /// <summary>1 while a shard replica refuses writes after a failed log write (a full disk), else 0.</summary>
        public const string ShardReadOnly = "dprcluster.shard.read_only";

        /// <summary>Log writes that failed, by whether the disk was full.</summary>
        public const string WalWriteFailures = "dprcluster.wal.write_failures";

        /// <summary>Histogram, seconds: writing one snapshot.</summary>
        public const string SnapshotDuration = "dprcluster.snapshot.duration";

        /// <summary>Histogram, seconds: how long the writer paused to freeze the contents for one snapshot.</summary>
        public const string SnapshotWriterPause = "dprcluster.snapshot.writer_pause";

        /// <summary>Counter: snapshots that failed (nothing is lost; the log keeps every record).</summary>
        public const string SnapshotFailures = "dprcluster.snapshot.failures";

        /// <summary>Histogram, seconds: one graph compaction, run beside the writer.</summary>
        public const string CompactionDuration = "dprcluster.compaction.duration";

        /// <summary>
        /// Gauge, records: how far a replica's last LSN trails the last LSN its shard's writer sent, by <c>shard</c> and
        /// <c>replica</c> (from the silo hosting the writer).
        /// </summary>
        public const string ReplicaLag = "dprcluster.replica.lag";

        /// <summary>Counter: log records a replica copied from a peer while catching up.</summary>
        public const string ReplicaRepairedRecords = "dprcluster.replica.repaired_records";

        /// <summary>Counter: peer snapshots a replica installed because the peer's log no longer reached back far enough.</summary>
        public const string ReplicaSnapshotInstalls = "dprcluster.replica.snapshot_installs";

        /// <summary>Gauge, bytes: size of a shard replica's newest snapshot.</summary>
        public const string SnapshotSize = "dprcluster.snapshot.size";

        /// <summary>Counter: log appends (one per group commit).</summary>
        public const string WalAppends = "dprcluster.wal.appends";

        /// <summary>Counter: log records written.</summary>
        public const string WalRecords = "dprcluster.wal.records";

        /// <summary>Counter, bytes: log bytes written.</summary>
        public const string WalBytes = "dprcluster.wal.bytes";

        /// <summary>Histogram, seconds: one fsync of the log.</summary>
        public const string WalFsyncDuration = "dprcluster.wal.fsync.duration";

        /// <summary>Histogram: texts per encoder batch, by <c>kind</c>.</summary>
        public const string EncoderBatchSize = "dprcluster.encoder.batch.size";

        /// <summary>Histogram, seconds: how long a batch's oldest text queued.</summary>
        public const string EncoderQueueWait = "dprcluster.encoder.queue_wait";

        /// <summary>Histogram, seconds: time in the encoder per batch.</summary>
        public const string EncoderRunTime = "dprcluster.encoder.run_time";

        /// <summary>Counter: encoder batches that failed.</summary>
        public const string EncoderBatchFailures = "dprcluster.encoder.batch.failures";

        /// <summary>Gauge: texts queued for the encoder.</summary>
        public const string EncoderQueueLength = "dprcluster.encoder.queue.length";

        /// <summary>Gauge: queue length past which the encoder refuses texts.</summary>
        public const string EncoderQueueLimit = "dprcluster.encoder.queue.limit";

        /// <summary>Gauge: 1 per silo, with its <c>silo</c> name and <c>roles</c>.</summary>
        public const string SiloInfo = "dprcluster.silo.info";
    }

    /// <summary>Attribute (label) names.</summary>
    public static class Attributes
    {
        /// <summary><c>dense</c>, <c>bm25</c> or <c>hybrid</c>.</summary>
        public const string Mode = "mode";

        /// <summary><c>encode</c>, <c>statistics</c>, <c>shards</c>, <c>merge</c> or <c>total</c>.</summary>
        public const string Stage = "stage";

        /// <summary>Shard id.</summary>
        public const string Shard = "shard";

        /// <summary>Silo name of a replica.</summary>
        public const string Replica = "replica";

        /// <summary>Shards one silo-wide call covers.</summary>
        public const string Shards = "shards";

        /// <summary>What was asked: <c>search</c>, <c>statistics</c>, <c>upsert</c>, <c>delete</c>, <c>get</c>.</summary>
        public const string Operation = "operation";

        /// <summary>Encoder side: <c>query</c> or <c>passage</c>.</summary>
        public const string Kind = "kind";

        /// <summary>OpenTelemetry's standard attribute for the kind of failure (here a cluster error code).</summary>
        public const string ErrorType = "error.type";

        /// <summary>Silo name.</summary>
        public const string Silo = "silo";

        /// <summary>Comma-separated roles of a silo.</summary>
        public const string Roles = "roles";

        /// <summary>Hits asked for.</summary>
        public const string K = "k";

        /// <summary>Number of items in a call (texts, passages, records).</summary>
        public const string Count = "count";
    }

    /// <summary>Values of <see cref="Attributes.Stage"/>.</summary>
    public static class Stages
    {
        /// <summary>Question encoding.</summary>
        public const string Encode = "encode";

        /// <summary>BM25 statistics gathering.</summary>
        public const string Statistics = "statistics";

        /// <summary>Shard fan-out.</summary>
        public const string Shards = "shards";

        /// <summary>Merge and fusion.</summary>
        public const string Merge = "merge";

        /// <summary>The whole search.</summary>
        public const string Total = "total";
    }

    /// <summary>
    /// Bucket bounds, in seconds, of the latency histograms: 100 µs to 10 s, dense below 100 ms where searches live.
    /// </summary>
    public static IReadOnlyList<double> LatencyBuckets { get; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Bucket bounds of the nodes a dense search scores.</summary>
    public static IReadOnlyList<long> VisitedNodeBuckets { get; } = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 65536];

    /// <summary>Bucket bounds of measured recall: fine near 1, where a healthy index lives.</summary>
    public static IReadOnlyList<double> RecallBuckets { get; } = [0.5, 0.7, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975, 0.99, 1];

    /// <summary>Bucket bounds of encoder batch sizes.</summary>
    public static IReadOnlyList<long> BatchSizeBuckets { get; } = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
}
