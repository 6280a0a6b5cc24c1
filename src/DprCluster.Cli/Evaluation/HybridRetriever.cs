using DprCluster.Text;
using DprCluster.Text.Fusion;

namespace DprCluster.Cli.Evaluation;

/// <summary>Dense and BM25 in this process, their top lists fused (by default by reciprocal rank, k = 60, as the cluster's hybrid mode does).</summary>
internal sealed class HybridRetriever(DenseRetriever dense, Bm25Retriever bm25, HybridFusion fusion) : IRetriever, IDisposable
{
    /// <summary>Hits each list contributes to the fusion (at least k), as the coordinator's hybrid depth.</summary>
    private const int Depth = 100;

    public string Description { get; } = $"hybrid ({fusion}, depth {Depth}): {dense.Description}; {bm25.Description}";

    public IReadOnlyList<ScoredHit> Search(string query, int k)
    {
        int depth = Math.Max(k, Depth);
        return fusion.Fuse(dense.Search(query, depth), bm25.Search(query, depth), k);
    }

    public void Dispose()
    {
        dense.Dispose();
        bm25.Dispose();
    }
}
