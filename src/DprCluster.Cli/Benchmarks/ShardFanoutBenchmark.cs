using DprCluster.Abstractions;
using DprCluster.Cli.Cluster;

namespace DprCluster.Cli.Benchmarks;

/// <summary>One shard count at one ef: recall and the QPS of every round.</summary>
internal sealed record FanoutEfResult(int Ef, double Recall, double MedianQps, double[] RoundQps, double MedianP50Ms, double MedianP99Ms);

/// <summary>
/// One shard count: its results per ef, its QPS against the baseline's, and both interpolated at the report's target
/// recall (null where its ef did not bracket it).
/// </summary>
internal sealed record FanoutLayout(int Shards, FanoutEfResult[] Results, FanoutRatio[] Ratios, double? QpsAtTarget, double? RatioAtTarget);

/// <summary>
/// QPS of a layout at one ef over the baseline's: at the same ef, and at equal recall (the baseline's QPS interpolated,
/// on its recall–QPS curve, at this layout's recall; null outside the recalls the baseline measured).
/// </summary>
internal sealed record FanoutRatio(int Ef, double Recall, double SameEf, double? EqualRecall);

/// <summary>What <c>bench shards --json</c> holds.</summary>
internal sealed record FanoutReport(int Count, int Dimensions, string Source, int Queries, int K, int M, int EfConstruction, int Concurrency,
    int Rounds, double SecondsPerRound, int ProcessorCount, double TargetRecall, FanoutLayout[] Layouts);

/// <summary>
/// <c>dprcluster bench shards</c>: the cost of fanning a query out to S shards in one silo against fewer shards holding
/// the same vectors. Every layout is built in this process and stays open; the load tests then take turns, round after
/// round (each round in the opposite order of the last), so a loaded, shared machine slows every layout alike and the
/// median ratio holds where the QPS of separate runs moves by a third.
/// </summary>
internal static class ShardFanoutBenchmark
{
    /// <summary>The recall@k at which the layouts are compared in the summary line, as ANN benchmarks do.</summary>
    public const double TargetRecall = 0.95;

    public static async Task<FanoutReport> RunAsync(ScaleSettings s, int[] layouts, int rounds, TextWriter output, CancellationToken cancellationToken)
    {
        int count = s.Counts[0];
        (float[] baseSet, float[] queries, string source) = ScaleBenchmark.Load(s, count, output);
        output.WriteLine($"{source}: {count:N0} × {s.Dimensions} base vectors, {s.Queries} queries; layouts of {string.Join(", ", layouts)} shard(s) " +
            $"in one silo each, M={s.M}, efConstruction={s.EfConstruction}, k={s.K}, concurrency {s.Concurrency}, {Environment.ProcessorCount} cores");
        output.WriteLine($"exact top-{s.K} of {s.Queries} queries …");
        int[][] truth = ExactNeighbors.TopK(baseSet, count, queries, s.Dimensions, s.K);

        var clusters = new List<InProcessCluster>();
        try
        {
            foreach (int shards in layouts)
            {
                string data = Path.Combine(s.WorkDirectory, $"shards-{shards}");
                if (Directory.Exists(data))
                {
                    Directory.Delete(data, recursive: true);
                }
                output.WriteLine($"{shards} shard(s): importing …");
                InProcessCluster cluster = await ScaleBenchmark.OpenClusterAsync(s, data, shards, cancellationToken, $"dprcluster-shards-{shards}")
                    .ConfigureAwait(false);
                clusters.Add(cluster);
                await ScaleBenchmark.IngestAsync(s, cluster, baseSet, count, output, cancellationToken).ConfigureAwait(false);
                await ScaleBenchmark.WaitIndexedAsync(cluster.Coordinator, count, cancellationToken).ConfigureAwait(false);
            }

            var requests = new SearchRequest[s.EfValues.Length][];
            var recall = new double[layouts.Length, s.EfValues.Length];
            for (int e = 0; e < s.EfValues.Length; e++)
            {
                requests[e] = ScaleBenchmark.Requests(s, queries, truth.Length, s.EfValues[e]);
                for (int l = 0; l < layouts.Length; l++)
                {
                    recall[l, e] = await ScaleBenchmark.RecallAsync(clusters[l].Coordinator, requests[e], truth, s.K, cancellationToken)
                        .ConfigureAwait(false);
                }
            }

            var measured = new (double Qps, double P50Ms, double P99Ms)[layouts.Length, s.EfValues.Length, rounds];
            for (int round = 0; round < rounds; round++)
            {
                output.WriteLine($"round {round + 1}/{rounds} …");
                for (int e = 0; e < s.EfValues.Length; e++)
                {
                    for (int turn = 0; turn < layouts.Length; turn++)
                    {
                        int l = round % 2 == 0 ? turn : layouts.Length - 1 - turn;
                        measured[l, e, round] = await ScaleBenchmark.LoadTestAsync(s, clusters[l].Coordinator, requests[e], cancellationToken)
                            .ConfigureAwait(false);
                    }
                }
            }

            var results = new FanoutEfResult[layouts.Length][];
            for (int l = 0; l < layouts.Length; l++)
            {
                results[l] = new FanoutEfResult[s.EfValues.Length];
                for (int e = 0; e < s.EfValues.Length; e++)
                {
                    var qps = new double[rounds];
                    var p50 = new double[rounds];
                    var p99 = new double[rounds];
                    for (int round = 0; round < rounds; round++)
                    {
                        (qps[round], p50[round], p99[round]) = measured[l, e, round];
                    }
                    results[l][e] = new FanoutEfResult(s.EfValues[e], recall[l, e], Median(qps), qps, Median(p50), Median(p99));
                }
            }
            var report = new FanoutLayout[layouts.Length];
            for (int l = 0; l < layouts.Length; l++)
            {
                var ratios = new FanoutRatio[s.EfValues.Length];
                for (int e = 0; e < s.EfValues.Length; e++)
                {
                    FanoutEfResult r = results[l][e];
                    ratios[e] = new FanoutRatio(r.Ef, r.Recall, r.MedianQps / results[0][e].MedianQps,
                        QpsAtRecall(results[0], r.Recall) is double interpolated ? r.MedianQps / interpolated : null);
                }
                double? atTarget = QpsAtRecall(results[l], TargetRecall);
                double? baselineAtTarget = QpsAtRecall(results[0], TargetRecall);
                report[l] = new FanoutLayout(layouts[l], results[l], ratios, atTarget,
                    atTarget is double qps && baselineAtTarget is double baseline ? qps / baseline : null);
            }
            var fanout = new FanoutReport(count, s.Dimensions, source, s.Queries, s.K, s.M, s.EfConstruction, s.Concurrency, rounds, s.SecondsPerEf,
                Environment.ProcessorCount, TargetRecall, report);
            Print(fanout, output);
            return fanout;
        }
        finally
        {
            foreach (InProcessCluster cluster in clusters)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The baseline's QPS at <paramref name="recall"/>, linear between the two measured ef whose recalls bracket it (recall
    /// grows with ef); null when no pair does.
    /// </summary>
    internal static double? QpsAtRecall(FanoutEfResult[] baseline, double recall)
    {
        FanoutEfResult[] byRecall = [.. baseline.OrderBy(r => r.Recall)];
        for (int i = 0; i + 1 < byRecall.Length; i++)
        {
            FanoutEfResult low = byRecall[i];
            FanoutEfResult high = byRecall[i + 1];
            if (recall >= low.Recall && recall <= high.Recall)
            {
                double t = high.Recall > low.Recall ? (recall - low.Recall) / (high.Recall - low.Recall) : 0;
                return low.MedianQps + t * (high.MedianQps - low.MedianQps);
            }
        }
        return byRecall.Length == 1 && byRecall[0].Recall == recall ? byRecall[0].MedianQps : null;
    }

    internal static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static void Print(FanoutReport report, TextWriter output)
    {
        int baseline = report.Layouts[0].Shards;
        output.WriteLine();
        output.WriteLine($"median of {report.Rounds} rounds of {report.SecondsPerRound:G} s; ratios are QPS over {baseline} shard(s)' QPS");
        output.WriteLine($"{"shards",6} {"ef",5} {"recall@k",9} {"QPS",9} {"p50 ms",8} {"p99 ms",8} {"same ef",8} {"eq. recall",10}");
        foreach (FanoutLayout layout in report.Layouts)
        {
            for (int e = 0; e < layout.Results.Length; e++)
            {
                FanoutEfResult r = layout.Results[e];
                FanoutRatio ratio = layout.Ratios[e];
                string equal = ratio.EqualRecall is double value ? value.ToString("F3") : "–";
                output.WriteLine($"{layout.Shards,6} {r.Ef,5} {r.Recall,9:F4} {r.MedianQps,9:N0} {r.MedianP50Ms,8:F3} {r.MedianP99Ms,8:F3} " +
                    $"{ratio.SameEf,8:F3} {equal,10}");
            }
        }
        foreach (FanoutLayout layout in report.Layouts)
        {
            output.WriteLine(layout.QpsAtTarget is double qps
                ? $"{layout.Shards} shard(s) at recall@{report.K} {report.TargetRecall:F2}: {qps:N0} QPS, {layout.RatioAtTarget:F3}× {baseline} shard(s)"
                : $"{layout.Shards} shard(s): no two ef bracket recall@{report.K} {report.TargetRecall:F2}");
        }
    }
}
