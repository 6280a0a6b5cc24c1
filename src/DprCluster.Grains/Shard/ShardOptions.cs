using DprCluster.Grains.Shard.Storage;
using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Shard;

/// <summary>Configuration of one shard replica.</summary>
/// <param name="DataDirectory">Root data directory; the shard keeps its files in <c>shard-&lt;id&gt;</c> below it.</param>
/// <param name="Dimensions">Length of the passage vectors (the encoder's dimension).</param>
public sealed record ShardOptions(string DataDirectory, int Dimensions)
{
    /// <summary>Similarity; DPR scores by inner product.</summary>
    public Metric Metric { get; init; } = Metric.InnerProduct;

    /// <summary>HNSW links per node (level 0 keeps twice as many).</summary>
    public int M { get; init; } = 16;

    /// <summary>HNSW beam width while inserting.</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>HNSW beam width of a search that names none.</summary>
    public int EfSearch { get; init; } = 128;

    /// <summary>
    /// How a new replica's index stores vectors: <see cref="VectorQuantization.None"/> (float32 in RAM) or
    /// <see cref="VectorQuantization.Sq8"/> (8-bit codes in RAM, full-precision vectors in a scratch file in the
    /// shard's directory for re-ranking). Chosen when the index is created; a snapshot keeps the one it was built with.
    /// </summary>
    public VectorQuantization Quantization { get; init; } = VectorQuantization.None;

    /// <summary>When the log is forced to disk; <see cref="WalSyncMode.Always"/> makes every ack survive power loss.</summary>
    public WalSyncMode Sync { get; init; } = WalSyncMode.Always;

    /// <summary>The disk the log and the snapshots write to; tests replace it to inject faults.</summary>
    public IStorageDevice Device { get; init; } = FileStorageDevice.Instance;

    /// <summary>How often a read-only replica checks whether its disk takes writes again, in milliseconds.</summary>
    public int ReadOnlyRetryMs { get; init; } = 1000;

    /// <summary>A snapshot is written after this many log records.</summary>
    public int SnapshotEveryRecords { get; init; } = 50_000;

    /// <summary>Largest number of queued writes taken into one group commit.</summary>
    public int MaxGroupCommit { get; init; } = 256;

    /// <summary>
    /// Milliseconds between recall measurements: at most one dense search per interval is re-run exactly in the
    /// background and its recall@k recorded (<c>dprcluster.shard.search.recall</c>). 0 switches measuring off. One
    /// measurement scores every vector of the replica once.
    /// </summary>
    public int RecallProbeIntervalMs { get; init; } = 10_000;

    /// <summary>
    /// After a restart, how long (ms) a replica waits for a peer replica to answer before it serves what it has without
    /// checking for records it missed.
    /// </summary>
    public int RepairPeerWaitMs { get; init; } = 15_000;

    /// <summary>Deadline (ms) of one call to a peer while catching up (its state, a piece of its log or snapshot).</summary>
    public int RepairCallTimeoutMs { get; init; } = 10_000;

    /// <summary>
    /// Threads one search may use across the shards of its silo (they are searched in parallel, each thread taking
    /// the next shard); 0 uses one per core. Bounds how much of the silo one query takes.
    /// </summary>
    public int SearchThreads { get; init; }

    /// <summary>
    /// Most writes a replica holds outside its graph: a write is acknowledged once logged and buffered, a background
    /// indexer links it into the graph, and searches scan the buffer exactly meanwhile. Past this many the writer
    /// waits for the indexer, so the buffer bounds what one search scans.
    /// </summary>
    public int MaxUnindexed { get; init; } = 100_000;

    /// <summary>Threads a replica's indexer inserts with; 0 uses one per core.</summary>
    public int IndexThreads { get; init; }

    /// <summary>Largest k a search may ask for.</summary>
    public int MaxK { get; init; } = 1000;

    /// <summary>BM25 parameters (Anserini's k1 = 0.9, b = 0.4 by default).</summary>
    public Bm25Parameters Bm25 { get; init; } = new();

    /// <summary>Analyzer of the BM25 postings; must match the coordinators'.</summary>
    public EnglishAnalyzerOptions Analyzer { get; init; } = new();
}
