using DprCluster.Text;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Text.Corpora;
using DprCluster.Text.Fusion;
using DprCluster.Core.Hashing;

namespace DprCluster.Cli.Evaluation;

/// <summary>
/// BM25 over one index, or over passages split across shards by <see cref="PassageIdHash"/> and searched the way the
/// cluster coordinator does: gather each shard's statistics for the query terms, merge them, let every shard score
/// with the cluster-wide statistics, merge the shard top-k lists.
/// </summary>
internal sealed class Bm25Retriever : IRetriever, IDisposable
{
    private readonly Bm25Index[] _shards;
    private readonly EnglishAnalyzer _analyzer;

    private Bm25Retriever(Bm25Index[] shards, EnglishAnalyzer analyzer, string description)
    {
        _shards = shards;
        _analyzer = analyzer;
        Description = description;
    }

    public string Description { get; }

    /// <summary>Indexes <paramref name="corpus"/> (title + text of each passage) into the configured shards.</summary>
    public static Bm25Retriever Build(IReadOnlyList<CorpusDocument> corpus, Bm25Settings settings)
    {
        var analyzer = new EnglishAnalyzer(settings.Analyzer);
        var shards = new Bm25Index[settings.Shards];
        for (int s = 0; s < shards.Length; s++)
        {
            shards[s] = new Bm25Index(analyzer, settings.Parameters);
        }
        foreach (CorpusDocument document in corpus)
        {
            int shard = shards.Length == 1 ? 0 : PassageIdHash.ShardOf(document.Id, shards.Length);
            shards[shard].Upsert(document.Id, document.Title, document.Text);
        }
        return new Bm25Retriever(shards, analyzer, $"bm25 ({settings.Describe()})");
    }

    public IReadOnlyList<ScoredHit> Search(string query, int k)
    {
        Bm25Query parsed = Bm25Query.Parse(query, _analyzer);
        return _shards.Length == 1 ? _shards[0].Search(parsed, k) : SearchShards(_shards, parsed, k);
    }

    /// <summary>Sharded BM25 as the cluster runs it: merge the shards' statistics, score with them, merge the top-k lists.</summary>
    public static List<ScoredHit> SearchShards(Bm25Index[] shards, Bm25Query query, int k)
    {
        var statistics = new Bm25Statistics[shards.Length];
        for (int s = 0; s < shards.Length; s++)
        {
            statistics[s] = shards[s].ExportStatistics(query.Terms);
        }
        Bm25Statistics global = Bm25Statistics.Merge(statistics);
        var lists = new IReadOnlyList<ScoredHit>[shards.Length];
        for (int s = 0; s < shards.Length; s++)
        {
            lists[s] = shards[s].Search(query, k, global);
        }
        return RankedListMerge.Merge(lists, k);
    }

    public void Dispose()
    {
        foreach (Bm25Index shard in _shards)
        {
            shard.Dispose();
        }
    }
}
