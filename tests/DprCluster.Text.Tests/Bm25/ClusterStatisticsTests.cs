using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Text.Corpora;
using DprCluster.Text.Fusion;
using DprCluster.Text.Tests.Corpora;
using DprCluster.Core.Hashing;
using DprCluster.Testing;

namespace DprCluster.Text.Tests.Bm25;

public class ClusterStatisticsTests
{
    private static List<ScoredHit> ShardedSearch(Bm25Index[] shards, Bm25Query query, int k)
    {
        Bm25Statistics global = Bm25Statistics.Merge(shards.Select(s => s.ExportStatistics(query.Terms)));
        return RankedListMerge.Merge([.. shards.Select(s => s.Search(query, k, global))], k);
    }

    [Fact]
    public void ShardedSciFactWithClusterWideStatisticsRanksExactlyLikeOneIndex()
    {
        BeirDataset scifact = BeirDataset.Load(RepositoryPaths.SharedDataPath("scifact"), "test");
        using var single = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        Bm25Index[] shards = [.. Enumerable.Range(0, 4).Select(_ => new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters()))];
        foreach (CorpusDocument document in scifact.Corpus)
        {
            single.Upsert(document.Id, document.Title, document.Text);
            shards[PassageIdHash.ShardOf(document.Id, 4)].Upsert(document.Id, document.Title, document.Text);
        }
        Assert.Equal(scifact.Corpus.Count, shards.Sum(s => s.Count));
        Assert.All(shards, s => Assert.InRange(s.Count, scifact.Corpus.Count / 5, scifact.Corpus.Count / 3));

        int differentWithLocalStatistics = 0;
        foreach (CorpusQuery query in scifact.Queries)
        {
            Bm25Query parsed = single.ParseQuery(query.Text);
            IReadOnlyList<ScoredHit> expected = single.Search(parsed, 100);
            Assert.Equal(expected, ShardedSearch(shards, parsed, 100));

            List<ScoredHit> local = RankedListMerge.Merge([.. shards.Select(s => s.Search(parsed, 100))], 100);
            differentWithLocalStatistics += local.SequenceEqual(expected) ? 0 : 1;
        }
        // Without the exchange, per-shard IDF changes the rankings: the statistics are what makes them equal.
        Assert.True(differentWithLocalStatistics > scifact.Queries.Count / 2);
        foreach (Bm25Index shard in shards)
        {
            shard.Dispose();
        }
    }

    [Fact]
    public void MergedStatisticsAddUpPerShardCounts()
    {
        var a = new Bm25Statistics(10, 100, new Dictionary<string, long> { ["x"] = 3, ["y"] = 1 });
        var b = new Bm25Statistics(5, 40, new Dictionary<string, long> { ["x"] = 2 });
        Bm25Statistics merged = Bm25Statistics.Merge([a, b]);
        Assert.Equal(15, merged.DocumentCount);
        Assert.Equal(140, merged.TotalLength);
        Assert.Equal(5, merged.DocumentFrequency("x"));
        Assert.Equal(1, merged.DocumentFrequency("y"));
        Assert.Equal(140.0 / 15, merged.AverageLength);
        Assert.Throws<KeyNotFoundException>(() => merged.DocumentFrequency("z"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bm25Statistics(1, 1, new Dictionary<string, long> { ["x"] = 2 }));
    }

    [Fact]
    public void SearchingWithStatisticsThatLackAQueryTermFails()
    {
        using var index = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        index.Upsert("p", "alpha beta");
        var partial = new Bm25Statistics(1, 2, new Dictionary<string, long> { ["alpha"] = 1 });
        Assert.Throws<KeyNotFoundException>(() => index.Search(new Bm25Query(["alpha", "beta"]), 5, partial));
    }
}
