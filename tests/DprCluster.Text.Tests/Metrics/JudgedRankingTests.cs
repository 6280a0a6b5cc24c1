using DprCluster.Text.Metrics;

namespace DprCluster.Text.Tests.Metrics;

public class JudgedRankingTests
{
    private static List<ScoredHit> Run(params string[] ids) =>
        [.. ids.Select((id, i) => new ScoredHit(id, 100 - i))];

    // d1 grade 2 at rank 1, d2 judged non-relevant at rank 2, d3 grade 1 at rank 3, d4 unjudged at rank 4;
    // d5 (grade 1) is never retrieved. Three relevant documents in all.
    private static readonly Dictionary<string, int> Judgments = new() { ["d1"] = 2, ["d2"] = 0, ["d3"] = 1, ["d5"] = 1 };

    [Fact]
    public void NdcgUsesGradesAsGainsAndTheJudgedGradesAsIdeal()
    {
        var ranking = JudgedRanking.Create(Run("d1", "d2", "d3", "d4"), Judgments);
        double dcg = 2 / Math.Log2(2) + 1 / Math.Log2(4);
        double ideal = 2 / Math.Log2(2) + 1 / Math.Log2(3) + 1 / Math.Log2(4);
        Assert.Equal(dcg / ideal, ranking.NdcgAt(3), 12);
        Assert.Equal(1.0, ranking.NdcgAt(1), 12);
        Assert.Equal(dcg / ideal, ranking.NdcgAt(1000), 12);
    }

    [Fact]
    public void RecallReciprocalRankAndAveragePrecision()
    {
        var ranking = JudgedRanking.Create(Run("d2", "d1", "d4", "d3"), Judgments);
        Assert.Equal(3, ranking.RelevantCount);
        Assert.Equal(0.0, ranking.RecallAt(1));
        Assert.Equal(1.0 / 3, ranking.RecallAt(2), 12);
        Assert.Equal(2.0 / 3, ranking.RecallAt(100), 12);
        Assert.Equal(0.0, ranking.ReciprocalRankAt(1));
        Assert.Equal(0.5, ranking.ReciprocalRankAt(10));
        // Precision at the relevant ranks 2 and 4 is 1/2 and 2/4; trec_eval divides by all 3 relevant documents.
        Assert.Equal((0.5 + 0.5) / 3, ranking.AveragePrecisionAt(100), 12);
        Assert.Equal(0.5 / 3, ranking.AveragePrecisionAt(3), 12);
    }

    [Fact]
    public void RanksByScoreAndBreaksTiesByDescendingId()
    {
        // trec_eval ignores the order given: equal scores put "b" before "a".
        var run = new List<ScoredHit> { new("a", 1), new("b", 1), new("c", 2) };
        var judgments = new Dictionary<string, int> { ["b"] = 1 };
        JudgedRanking ranking = JudgedRanking.Create(run, judgments);
        Assert.Equal(0.5, ranking.ReciprocalRankAt(10));
        Assert.Equal(1 / Math.Log2(3), ranking.NdcgAt(10), 12);
    }

    [Fact]
    public void QueriesWithoutRelevantDocumentsScoreZero()
    {
        var ranking = JudgedRanking.Create(Run("x", "y"), new Dictionary<string, int> { ["x"] = 0 });
        Assert.Equal(0.0, ranking.NdcgAt(10));
        Assert.Equal(0.0, ranking.RecallAt(10));
        Assert.Equal(0.0, ranking.AveragePrecisionAt(10));
        Assert.Equal(0.0, ranking.ReciprocalRankAt(10));
    }

    [Fact]
    public void EmptyRunsScoreZeroAndDuplicatesAreRejected()
    {
        var empty = JudgedRanking.Create([], Judgments);
        Assert.Equal(0.0, empty.NdcgAt(10));
        Assert.Throws<ArgumentException>(() => JudgedRanking.Create(Run("d1", "d1"), Judgments));
        Assert.Throws<ArgumentOutOfRangeException>(() => empty.NdcgAt(0));
    }

    [Fact]
    public void RunEvaluationAveragesOverEveryJudgedQuery()
    {
        var qrels = new Qrels();
        qrels.Add("q1", "d1", 1);
        qrels.Add("q2", "d9", 1);
        var run = new Dictionary<string, IReadOnlyList<ScoredHit>>
        {
            ["q1"] = Run("d1"),
            ["unjudged"] = Run("d1"),
        };
        Dictionary<string, double> means = RunEvaluation.Evaluate(run, qrels, RetrievalMeasure.BeirDefaults);
        Assert.Equal(["nDCG@10", "Recall@100", "MRR@10", "MAP@100"], means.Keys);
        Assert.All(means.Values, v => Assert.Equal(0.5, v, 12));
        Assert.Throws<ArgumentException>(() => qrels.Add("q1", "d1", 2));
    }
}
