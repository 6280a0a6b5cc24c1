using System.Diagnostics;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Evaluation;

/// <summary>Builds the retriever a mode names and measures how long indexing the corpus took.</summary>
internal static class RetrieverFactory
{
    /// <summary>Fails fast, before any data is read, when a mode cannot run in this build.</summary>
    public static void EnsureAvailable(RetrievalMode mode)
    {
        if (mode is RetrievalMode.Dense or RetrievalMode.Hybrid)
        {
            throw new RetrievalModeUnavailableException(
                $"mode '{mode.ToString().ToLowerInvariant()}' needs an encoder (question and passage encoders); " +
                "this build has none yet, so only --mode bm25 can run.");
        }
    }

    public static (IRetriever Retriever, TimeSpan IndexingTime) Build(
        RetrievalMode mode, IReadOnlyList<CorpusDocument> corpus, Bm25Settings bm25)
    {
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
