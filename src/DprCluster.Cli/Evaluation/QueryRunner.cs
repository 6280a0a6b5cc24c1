using System.Diagnostics;
using DprCluster.Text;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Evaluation;

/// <summary>
/// Runs every query through a retriever on the calling thread and measures single-thread throughput; a short
/// untimed warm-up pass lets the JIT settle first.
/// </summary>
internal static class QueryRunner
{
    private const int WarmupQueries = 20;

    public static (Dictionary<string, IReadOnlyList<ScoredHit>> Run, double QueriesPerSecond) Run(
        IRetriever retriever, IReadOnlyList<CorpusQuery> queries, int k)
    {
        for (int i = 0; i < Math.Min(WarmupQueries, queries.Count); i++)
        {
            retriever.Search(queries[i].Text, k);
        }
        var run = new Dictionary<string, IReadOnlyList<ScoredHit>>(queries.Count, StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        foreach (CorpusQuery query in queries)
        {
            run[query.Id] = retriever.Search(query.Text, k);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return (run, seconds > 0 ? queries.Count / seconds : double.PositiveInfinity);
    }
}
