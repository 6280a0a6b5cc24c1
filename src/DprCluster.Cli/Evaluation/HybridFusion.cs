using DprCluster.Text;
using DprCluster.Text.Fusion;

namespace DprCluster.Cli.Evaluation;

/// <summary>
/// How an in-process hybrid run fuses its dense and BM25 lists: a linear sum of min-max normalised scores,
/// BM25 + <paramref name="DenseWeight"/> · dense (the cluster's default, with its weight), or reciprocal rank fusion
/// with constant <paramref name="RrfK"/>.
/// </summary>
internal sealed record HybridFusion(bool Normalized, int RrfK, float DenseWeight)
{
    /// <summary>The fused top <paramref name="k"/>.</summary>
    public IReadOnlyList<ScoredHit> Fuse(IReadOnlyList<ScoredHit> dense, IReadOnlyList<ScoredHit> bm25, int k) => Normalized
        ? LinearFusion.Normalized(bm25, dense, k, DenseWeight)
        : ReciprocalRankFusion.Fuse([dense, bm25], k, RrfK);

    /// <inheritdoc />
    public override string ToString() => Normalized ? $"normalized, BM25 + {DenseWeight:0.##} x dense" : $"RRF, k = {RrfK}";
}
