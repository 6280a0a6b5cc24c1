namespace DprCluster.Text.Metrics;

/// <summary>
/// Averages measures over every judged query, as <c>trec_eval -c</c>: a judged query missing from the run scores 0
/// on every measure; run queries without judgements are ignored.
/// </summary>
public static class RunEvaluation
{
    /// <summary>Mean of each measure over <see cref="Qrels.QueryIds"/>, keyed by <see cref="RetrievalMeasure.Name"/>.</summary>
    public static Dictionary<string, double> Evaluate(
        IReadOnlyDictionary<string, IReadOnlyList<ScoredHit>> run, Qrels qrels, IReadOnlyList<RetrievalMeasure> measures)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(qrels);
        ArgumentNullException.ThrowIfNull(measures);
        var sums = new double[measures.Count];
        foreach (string queryId in qrels.QueryIds)
        {
            IReadOnlyList<ScoredHit> hits = run.TryGetValue(queryId, out IReadOnlyList<ScoredHit>? found) ? found : [];
            JudgedRanking ranking = JudgedRanking.Create(hits, qrels.For(queryId));
            for (int m = 0; m < measures.Count; m++)
            {
                sums[m] += measures[m].Of(ranking);
            }
        }
        var means = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int m = 0; m < measures.Count; m++)
        {
            means[measures[m].Name] = qrels.Count == 0 ? 0 : sums[m] / qrels.Count;
        }
        return means;
    }
}
