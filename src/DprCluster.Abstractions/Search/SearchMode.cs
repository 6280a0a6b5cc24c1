namespace DprCluster.Abstractions;

/// <summary>Which retriever answers a search.</summary>
[GenerateSerializer, Alias("dpr.SearchMode")]
public enum SearchMode
{
    /// <summary>Dense retrieval: question vector against the HNSW graph of passage vectors.</summary>
    Dense,

    /// <summary>BM25 over the passages' text with cluster-wide statistics.</summary>
    Bm25,

    /// <summary>Dense and BM25 lists fused (<see cref="FusionMethod"/>).</summary>
    Hybrid,
}

/// <summary>How a hybrid search combines its dense and BM25 lists.</summary>
[GenerateSerializer, Alias("dpr.FusionMethod")]
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion with k = 60.</summary>
    Rrf,

    /// <summary>DPR's hybrid: BM25 + 1.1 · dense over the union of both lists, raw scores.</summary>
    Linear,

    /// <summary>
    /// Min-max normalised BM25 + 0.75 · normalised dense over the union of both lists; the fusion and weight that scored
    /// best on SciFact's train queries, and the default.
    /// </summary>
    Normalized,
}
