using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Text.Corpora;
using DprCluster.Text.Metrics;
using DprCluster.Text.Tests.Corpora;
using DprCluster.Testing;

namespace DprCluster.Text.Tests.Bm25;

/// <summary>Guards end-to-end quality against the published BM25 baselines the issue sets as targets.</summary>
public class RetrievalQualityTests
{
    private static double NdcgAt10(string directory)
    {
        BeirDataset dataset = BeirDataset.Load(directory, "test");
        using var index = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        foreach (CorpusDocument document in dataset.Corpus)
        {
            index.Upsert(document.Id, document.Title, document.Text);
        }
        var run = new Dictionary<string, IReadOnlyList<ScoredHit>>();
        foreach (CorpusQuery query in dataset.Queries)
        {
            run[query.Id] = index.Search(query.Text, 100);
        }
        return RunEvaluation.Evaluate(run, dataset.Qrels, [new RetrievalMeasure(MeasureKind.Ndcg, 10)])["nDCG@10"];
    }

    [Fact]
    public void SciFactReachesThePublishedBm25Baseline() =>
        Assert.InRange(NdcgAt10(RepositoryPaths.SharedDataPath("scifact")), 0.665, 1.0);

    [Fact]
    public void NfCorpusReachesTheTarget() =>
        Assert.InRange(NdcgAt10(RepositoryPaths.SharedDataPath("nfcorpus-orig-test", "beir_format")), 0.313, 1.0);
}
