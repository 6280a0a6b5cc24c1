using System.Diagnostics;
using DprCluster.Cli.Cluster;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Evaluation;

/// <summary>Builds the retriever a mode names and measures how long indexing the corpus took.</summary>
internal static class RetrieverFactory
{
    /// <summary>
    /// The retriever for <paramref name="mode"/>: a running cluster when <paramref name="cluster"/> is given, else BM25,
    /// dense (<paramref name="encoder"/>, <c>Encoder:Model</c> syntax) or both fused, in this process.
    /// </summary>
    public static (IRetriever Retriever, TimeSpan IndexingTime) Build(
        RetrievalMode mode, IReadOnlyList<CorpusDocument> corpus, Bm25Settings bm25, Uri? cluster, string encoder, HybridFusion fusion)
    {
        if (cluster is not null)
        {
            // The cluster indexed the corpus at ingest time; there is no indexing to time here.
            return (ClusterRetriever.Connect(cluster, mode, corpus.Count), TimeSpan.Zero);
        }
        var clock = Stopwatch.StartNew();
        switch (mode)
        {
            case RetrievalMode.Bm25:
                return (Bm25Retriever.Build(corpus, bm25), clock.Elapsed);
            case RetrievalMode.Dense:
                return (DenseRetriever.Build(corpus, encoder), clock.Elapsed);
            case RetrievalMode.Hybrid:
                DenseRetriever dense = DenseRetriever.Build(corpus, encoder);
                return (new HybridRetriever(dense, Bm25Retriever.Build(corpus, bm25), fusion), clock.Elapsed);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown retrieval mode");
        }
    }
}
