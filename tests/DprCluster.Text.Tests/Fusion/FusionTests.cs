using DprCluster.Text.Fusion;

namespace DprCluster.Text.Tests.Fusion;

public class FusionTests
{
    private static List<ScoredHit> List(params (string Id, float Score)[] hits) => [.. hits.Select(h => new ScoredHit(h.Id, h.Score))];

    [Fact]
    public void ReciprocalRankFusionSumsOneOverKPlusRank()
    {
        List<ScoredHit> fused = ReciprocalRankFusion.Fuse(
            [List(("a", 9), ("b", 5), ("c", 1)), List(("b", 0.9f), ("c", 0.8f), ("d", 0.1f))], topK: 10);

        Assert.Equal(["b", "c", "a", "d"], fused.Select(h => h.Id));
        Assert.Equal((float)(1.0 / 62 + 1.0 / 61), fused[0].Score, 1e-7);
        Assert.Equal((float)(1.0 / 63 + 1.0 / 62), fused[1].Score, 1e-7);
        Assert.Equal((float)(1.0 / 61), fused[2].Score, 1e-7);
        Assert.Equal((float)(1.0 / 63), fused[3].Score, 1e-7);
    }

    [Fact]
    public void ReciprocalRankFusionHonoursKAndTopK()
    {
        List<ScoredHit> fused = ReciprocalRankFusion.Fuse([List(("x", 1), ("y", 0.5f))], topK: 1, k: 0);
        Assert.Equal([new ScoredHit("x", 1f)], fused);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReciprocalRankFusion.Fuse([], topK: 0));
    }

    [Fact]
    public void MinMaxFusionNormalisesEachListAndFillsMissingWithTheFloor()
    {
        // List 1: a=10 → 1, b=6 → 0.5, c=2 → 0.  List 2: b=3 → 1, d=1 → 0.
        List<ScoredHit> fused = LinearFusion.Fuse(
            [List(("a", 10), ("b", 6), ("c", 2)), List(("b", 3), ("d", 1))], [1f, 2f], ScoreNormalization.MinMax, 10);
        var scores = fused.ToDictionary(h => h.Id, h => h.Score);
        Assert.Equal(0.5f + 2f, scores["b"], 1e-6);
        Assert.Equal(1f + 0f, scores["a"], 1e-6);
        Assert.Equal(0f, scores["c"], 1e-6);
        Assert.Equal(0f, scores["d"], 1e-6);
        Assert.Equal(["b", "a", "c", "d"], fused.Select(h => h.Id));
    }

    [Fact]
    public void ZScoreFusionUsesThePopulationDeviation()
    {
        // Scores 1, 2, 3: mean 2, population deviation sqrt(2/3).
        List<ScoredHit> fused = LinearFusion.Fuse([List(("a", 3), ("b", 2), ("c", 1))], [1f], ScoreNormalization.ZScore, 10);
        double deviation = Math.Sqrt(2.0 / 3);
        Assert.Equal((float)(1 / deviation), fused[0].Score, 1e-6);
        Assert.Equal(0f, fused[1].Score, 1e-6);
        Assert.Equal((float)(-1 / deviation), fused[2].Score, 1e-6);
    }

    [Fact]
    public void EqualScoresStillFavourTheDocumentsThatAppear()
    {
        List<ScoredHit> fused = LinearFusion.Fuse(
            [List(("only", 5)), List(("other", 1), ("more", 0.5f))], [1f, 1f], ScoreNormalization.MinMax, 10);
        Assert.Equal("only", fused[0].Id);
        Assert.Equal(1f, fused[0].Score);
    }

    [Fact]
    public void DprHybridAddsBm25AndOnePointOneTimesDenseOverTheUnion()
    {
        List<ScoredHit> bm25 = List(("p1", 20), ("p2", 15));
        List<ScoredHit> dense = List(("p2", 80), ("p3", 79));
        List<ScoredHit> fused = LinearFusion.DprHybrid(bm25, dense, topK: 10);
        var scores = fused.ToDictionary(h => h.Id, h => h.Score);
        Assert.Equal(15 + 1.1f * 80, scores["p2"], 1e-3);
        Assert.Equal(20 + 1.1f * 79, scores["p1"], 1e-3); // missing dense score → the dense list's lowest
        Assert.Equal(15 + 1.1f * 79, scores["p3"], 1e-3); // missing BM25 score → the BM25 list's lowest
        Assert.Equal(["p1", "p2", "p3"], fused.Select(h => h.Id)); // 106.9, 103, 101.9
    }

    [Fact]
    public void NormalizedFusionAddsMinMaxScaledBm25AndWeightedDense()
    {
        List<ScoredHit> bm25 = List(("p1", 20), ("p2", 15), ("p4", 10));
        List<ScoredHit> dense = List(("p2", 0.9f), ("p3", 0.7f), ("p1", 0.5f));
        var scores = LinearFusion.Normalized(bm25, dense, topK: 10).ToDictionary(h => h.Id, h => h.Score);
        float w = LinearFusion.TunedDenseWeight;
        Assert.Equal(1.0f + w * 0.0f, scores["p1"], 1e-5); // BM25 max, dense min
        Assert.Equal(0.5f + w * 1.0f, scores["p2"], 1e-5);
        Assert.Equal(0.0f + w * 0.5f, scores["p3"], 1e-5); // missing BM25 → the BM25 list's lowest (0 after scaling)
        Assert.Equal(0.0f + w * 0.0f, scores["p4"], 1e-5);
    }

    [Fact]
    public void LinearFusionRejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => LinearFusion.Fuse([List(("a", 1))], [1f, 2f], ScoreNormalization.None, 5));
        Assert.Throws<ArgumentException>(() => LinearFusion.Fuse([List(("a", float.NaN))], [1f], ScoreNormalization.None, 5));
    }

    [Fact]
    public void RankedListMergeKeepsTheBestKAcrossShards()
    {
        List<ScoredHit> merged = RankedListMerge.Merge(
            [List(("s1-a", 5), ("s1-b", 1)), List(("s2-a", 5), ("s2-b", 3)), List(("s1-a", 4)), List()], 3);
        Assert.Equal([new ScoredHit("s1-a", 5), new ScoredHit("s2-a", 5), new ScoredHit("s2-b", 3)], merged);
        Assert.Equal(4, RankedListMerge.Merge([List(("a", 2), ("b", 1)), List(("c", 3), ("d", 0))], 10).Count);
    }

    [Fact]
    public void RankedListMergeOrdersListsGivenOutOfOrder()
    {
        List<ScoredHit> merged = RankedListMerge.Merge([List(("a", 1), ("b", 2), ("d", 2)), List(("c", 2), ("e", 0))], 4);
        Assert.Equal(["b", "c", "d", "a"], merged.Select(h => h.Id));
    }
}
