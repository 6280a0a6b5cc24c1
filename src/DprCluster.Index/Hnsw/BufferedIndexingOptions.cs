namespace DprCluster.Index.Hnsw;

/// <summary>How a <see cref="BufferedHnswIndex"/> buffers writes and links them into its graph.</summary>
/// <param name="MaxUnindexed">Most writes that wait for the graph before the writer is held back.</param>
/// <param name="Threads">Inserters the indexer runs for a batch of new vectors.</param>
/// <param name="Background">False runs no indexer thread: the owner calls <see cref="BufferedHnswIndex.IndexPending"/> (tests, offline builds).</param>
public sealed record BufferedIndexingOptions(int MaxUnindexed, int Threads, bool Background = true);
