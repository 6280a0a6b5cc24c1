using System.Diagnostics;
using DprCluster.Cli.Cluster;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Evaluation;

/// <summary>Builds the retriever a mode names and measures how long indexing the corpus took.</summary>
internal static class RetrieverFactory
{
    /// <summary>Fails fast, before any data is read, when a mode cannot run in this build (a cluster runs them all).</summary>
    public static void EnsureAvailable(RetrievalMode mode, Uri? cluster = null)
    {
        if (cluster is null && mode is RetrievalMode.Dense or RetrievalMode.Hybrid)
        {
            throw new RetrievalModeUnavailableException(
                $"mode '{mode.ToString().ToLowerInvariant()}' needs an encoder (question and passage encoders); " +
                "this build has none yet, so only --mode bm25 can run locally; --url evaluates a running cluster in any mode.");
        }
    }

    public static (IRetriever Retriever, TimeSpan IndexingTime) Build(
        RetrievalMode mode, IReadOnlyList<CorpusDocument> corpus, Bm25Settings bm25, Uri? cluster = null)
    {
        if (cluster is not null)
        {
            // The cluster indexed the corpus at ingest time; there is no indexing to time here.
            return (ClusterRetriever.Connect(cluster, mode, corpus.Count), TimeSpan.Zero);
        }
        switch (mode)
        {
            case RetrievalMode.Bm25:
                var clock = Stopwatch.StartNew();
                Bm25Retriever retriever = Bm25Retriever.Build(corpus, bm25);
                return (retriever, clock.Elapsed);
            default:
                EnsureAvailable(mode);
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown retrieval mode");
        }
    }
}
