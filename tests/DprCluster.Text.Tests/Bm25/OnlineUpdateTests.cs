using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;

namespace DprCluster.Text.Tests.Bm25;

public class OnlineUpdateTests
{
    [Fact]
    public void UpsertOfAnExistingIdReplacesThePassage()
    {
        using var index = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        index.Upsert("p1", "apples and oranges");
        index.Upsert("p2", "bananas");
        index.Upsert("p1", "grapes");

        Assert.Equal(2, index.Count);
        Assert.Empty(index.Search("apples", 10));
        Assert.Equal(["p1"], index.Search("grapes", 10).Select(h => h.Id));
        Bm25Statistics statistics = index.ExportStatistics();
        Assert.Equal(2, statistics.DocumentCount);
        Assert.Equal(2, statistics.TotalLength);
        Assert.False(statistics.DocumentFrequencies.ContainsKey("appl"));
    }

    [Fact]
    public void DeleteRemovesThePassageAndItsStatistics()
    {
        using var index = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        index.Upsert("p1", "red apple");
        index.Upsert("p2", "green apple pie");

        Assert.True(index.Delete("p1"));
        Assert.False(index.Delete("p1"));
        Assert.False(index.Delete("never-added"));
        Assert.False(index.Contains("p1"));
        Assert.True(index.Contains("p2"));
        Assert.Equal(["p2"], index.Search("apple", 10).Select(h => h.Id));
        Assert.Empty(index.Search("red", 10));

        Bm25Statistics statistics = index.ExportStatistics(["appl", "red", "absent"]);
        Assert.Equal(1, statistics.DocumentCount);
        Assert.Equal(3, statistics.TotalLength);
        Assert.Equal(1, statistics.DocumentFrequencies["appl"]);
        Assert.Equal(0, statistics.DocumentFrequencies["red"]);
        Assert.Equal(0, statistics.DocumentFrequencies["absent"]);
    }

    [Fact]
    public void ADeletedIdCanBeAddedAgain()
    {
        using var index = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        index.Upsert("p", "first version");
        index.Delete("p");
        index.Upsert("p", "second version");
        Assert.Equal(["p"], index.Search("second", 5).Select(h => h.Id));
        Assert.Empty(index.Search("first", 5));
    }

    [Fact]
    public void ChurnScoresExactlyLikeAFreshIndexOfTheSurvivors()
    {
        var corpus = new SyntheticCorpus(seed: 21, documents: 4000, vocabulary: 400);
        using Bm25Index churned = Bm25ScoringTests.Build(corpus.Documents);
        var survivors = new Dictionary<string, string[]>();
        foreach ((string id, string[] terms) in corpus.Documents)
        {
            survivors[id] = terms;
        }
        // Enough deletes and replacements to trigger compaction several times.
        for (int round = 0; round < 3; round++)
        {
            for (int d = round; d < corpus.Documents.Count; d += 2)
            {
                string id = corpus.Documents[d].Id;
                if (d % 4 == round)
                {
                    string[] replacement = corpus.Query(30);
                    churned.Upsert(id, string.Join(' ', replacement));
                    survivors[id] = replacement;
                }
                else if (churned.Delete(id))
                {
                    survivors.Remove(id);
                }
            }
        }
        using Bm25Index fresh = Bm25ScoringTests.Build(survivors.Select(s => (s.Key, s.Value)));
        Assert.Equal(fresh.Count, churned.Count);
        for (int q = 0; q < 50; q++)
        {
            var query = new Bm25Query(corpus.Query(1 + q % 9));
            Assert.Equal(fresh.Search(query, 20), churned.Search(query, 20));
        }
    }

    [Fact]
    public async Task SearchesRunConcurrentlyWithWrites()
    {
        var corpus = new SyntheticCorpus(seed: 2, documents: 1000);
        using Bm25Index index = Bm25ScoringTests.Build(corpus.Documents);
        string[][] queries = [.. Enumerable.Range(0, 200).Select(i => corpus.Query(1 + i % 5))];
        Task writer = Task.Run(() =>
        {
            for (int d = 0; d < corpus.Documents.Count; d++)
            {
                if (d % 2 == 0)
                {
                    index.Delete(corpus.Documents[d].Id);
                }
                else
                {
                    index.Upsert(corpus.Documents[d].Id, string.Join(" ", Enumerable.Reverse(corpus.Documents[d].Terms)));
                }
            }
        });
        Parallel.ForEach(queries, query =>
        {
            IReadOnlyList<ScoredHit> hits = index.Search(new Bm25Query(query), 10);
            Assert.True(hits.Count <= 10);
            Assert.All(hits, h => Assert.True(float.IsFinite(h.Score) && h.Score > 0));
        });
        await writer;
        Assert.Equal(corpus.Documents.Count / 2, index.Count);
    }
}
