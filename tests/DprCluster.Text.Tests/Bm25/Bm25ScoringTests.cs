using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;

namespace DprCluster.Text.Tests.Bm25;

public class Bm25ScoringTests
{
    internal static Bm25Index Build(IEnumerable<(string Id, string[] Terms)> documents, Bm25Parameters? parameters = null)
    {
        var index = new Bm25Index(EnglishAnalyzer.Default, parameters ?? new Bm25Parameters());
        foreach ((string id, string[] terms) in documents)
        {
            index.Upsert(id, string.Join(' ', terms));
        }
        return index;
    }

    [Theory]
    [InlineData(0.9f, 0.4f)]
    [InlineData(1.2f, 0.75f)]
    [InlineData(0f, 0f)]
    [InlineData(2f, 1f)]
    public void ScoresMatchANaiveReferenceScorer(float k1, float b)
    {
        var corpus = new SyntheticCorpus(seed: 7, documents: 300);
        using Bm25Index index = Build(corpus.Documents, new Bm25Parameters { K1 = k1, B = b });
        for (int q = 0; q < 40; q++)
        {
            string[] query = corpus.Query(1 + q % 6);
            Dictionary<string, double> expected = ReferenceBm25.Scores(corpus.Documents, query, k1, b);
            IReadOnlyList<ScoredHit> hits = index.Search(new Bm25Query(query), 20);

            Assert.Equal(Math.Min(20, expected.Count), hits.Count);
            foreach (ScoredHit hit in hits)
            {
                Assert.Equal(expected[hit.Id], hit.Score, 1e-5 * Math.Max(1, expected[hit.Id]));
            }
            var returned = hits.Select(h => h.Id).ToHashSet();
            double weakestReturned = hits.Count == 0 ? double.MaxValue : hits[^1].Score;
            double bestMissed = expected.Where(e => !returned.Contains(e.Key)).Select(e => e.Value).DefaultIfEmpty(0).Max();
            Assert.True(bestMissed <= weakestReturned + 1e-5, $"query {q}: missed a document scoring {bestMissed}");
        }
    }

    [Fact]
    public void RepeatedQueryTermsMultiplyTheirWeight()
    {
        var corpus = new SyntheticCorpus(seed: 3, documents: 50);
        using Bm25Index index = Build(corpus.Documents);
        IReadOnlyList<ScoredHit> once = index.Search(new Bm25Query(["w1"]), 5);
        IReadOnlyList<ScoredHit> twice = index.Search(new Bm25Query(["w1", "w1"]), 5);
        Assert.Equal(once.Select(h => h.Id), twice.Select(h => h.Id));
        for (int i = 0; i < once.Count; i++)
        {
            Assert.Equal(2 * once[i].Score, twice[i].Score, 1e-5);
        }
    }

    [Fact]
    public void EqualScoresAreOrderedByOrdinalId()
    {
        using var index = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        foreach (string id in new[] { "c", "a", "B", "b" })
        {
            index.Upsert(id, "same words here");
        }
        index.Upsert("z", "other text");
        IReadOnlyList<ScoredHit> hits = index.Search("words", 3);
        Assert.Equal(["B", "a", "b"], hits.Select(h => h.Id));
    }

    [Fact]
    public void EmptyQueriesEmptyIndexesAndUnknownTermsReturnNothing()
    {
        using var empty = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        Assert.Empty(empty.Search("anything", 10));

        using Bm25Index index = Build(new SyntheticCorpus(seed: 1, documents: 20).Documents);
        Assert.Empty(index.Search("the and of", 10));
        Assert.Empty(index.Search("zebra", 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("w1", 0));
    }

    [Fact]
    public void ParametersRejectImpossibleValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Parameters { K1 = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Parameters { B = 1.5f });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Parameters { B = float.NaN });
        Assert.Equal(0.9f, new Bm25Parameters().K1);
        Assert.Equal(0.4f, new Bm25Parameters().B);
    }

    [Fact]
    public void TitleAndTextAreOneField()
    {
        using var index = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        index.Upsert("split", "alpha beta", "gamma delta");
        index.Upsert("joined", "alpha beta gamma delta");
        IReadOnlyList<ScoredHit> hits = index.Search("alpha delta", 2);
        Assert.Equal(hits[0].Score, hits[1].Score);
    }
}
