using DprCluster.Text.Corpora;
using DprCluster.Text.Metrics;

namespace DprCluster.Cli.Evaluation;

/// <summary>Retrieval quality on a BEIR-format benchmark: nDCG@10, Recall@100, MRR@10, MAP@100 and throughput.</summary>
internal static class BeirEvaluation
{
    public static EvaluationReport Run(string directory, string split, RetrievalMode mode, Bm25Settings bm25, int k, Uri? cluster, string encoder,
        HybridFusion fusion)
    {
        BeirDataset dataset = BeirDataset.Load(directory, split);
        (IRetriever retriever, TimeSpan indexing) = RetrieverFactory.Build(mode, dataset.Corpus, bm25, cluster, encoder, fusion);
        try
        {
            (var run, double qps) = QueryRunner.Run(retriever, dataset.Queries, k);
            Dictionary<string, double> metrics = RunEvaluation.Evaluate(run, dataset.Qrels, RetrievalMeasure.BeirDefaults);
            return new EvaluationReport(directory, split, Lower(mode), retriever.Description, dataset.Corpus.Count,
                dataset.Queries.Count, k, indexing.TotalSeconds, qps, metrics);
        }
        finally
        {
            (retriever as IDisposable)?.Dispose();
        }
    }

    private static string Lower(RetrievalMode mode) => mode.ToString().ToLowerInvariant();
}
