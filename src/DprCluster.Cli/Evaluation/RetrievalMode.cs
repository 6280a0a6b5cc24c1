namespace DprCluster.Cli.Evaluation;

/// <summary>The retrieval methods <c>dprcluster eval --mode</c> names.</summary>
internal enum RetrievalMode
{
    /// <summary>BM25 over the passages (title + text).</summary>
    Bm25,

    /// <summary>Dense passage retrieval; needs a question and passage encoder.</summary>
    Dense,

    /// <summary>BM25 and dense fused (DPR's BM25 + 1.1 · dense); needs an encoder.</summary>
    Hybrid,
}
