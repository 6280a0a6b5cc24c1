using ScottPlot;

namespace DprCluster.Cli.Benchmarks;

/// <summary>The PNG of <c>bench scale</c>: how search latency and memory per vector grow with N.</summary>
internal static class ScalePlot
{
    /// <summary>Draws p50 and p99 latency (left axis, at each size's operating ef) and bytes per vector (right axis) against N.</summary>
    public static void Save(ScaleReport report, double recallTarget, string path)
    {
        ScaleRun[] runs = [.. report.Runs.OrderBy(r => r.Count)];
        double[] n = [.. runs.Select(r => (double)r.Count)];
        ScaleEfResult[] operating = [.. runs.Select(r => ScaleBenchmark.Operating(r, recallTarget))];
        var plot = new Plot();
        plot.Title($"{report.Shards} shard(s), d = {report.Dimensions}, {report.Quantization}, concurrency {report.Concurrency}");
        plot.XLabel("vectors (N)");
        plot.YLabel("latency (ms) at the first ef with recall@10 ≥ " + recallTarget.ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        var p50 = plot.Add.Scatter(n, [.. operating.Select(o => o.P50Ms)]);
        p50.LegendText = "p50 latency";
        var p99 = plot.Add.Scatter(n, [.. operating.Select(o => o.P99Ms)]);
        p99.LegendText = "p99 latency";
        var index = plot.Add.Scatter(n, [.. runs.Select(r => r.IndexBytesPerVector)]);
        index.LegendText = "index bytes / vector";
        index.Axes.YAxis = plot.Axes.Right;
        var rss = plot.Add.Scatter(n, [.. runs.Select(r => r.RssBytesPerVector)]);
        rss.LegendText = "RSS bytes / vector";
        rss.Axes.YAxis = plot.Axes.Right;
        var hnswlib = plot.Add.Scatter(n, [.. runs.Select(r => r.HnswlibFormulaBytesPerVector)]);
        hnswlib.LegendText = "hnswlib formula (float32) bytes / vector";
        hnswlib.Axes.YAxis = plot.Axes.Right;
        hnswlib.LinePattern = LinePattern.Dashed;
        plot.Axes.Right.Label.Text = "bytes per vector";
        plot.Axes.SetLimitsY(0, operating.Max(o => o.P99Ms) * 1.15, plot.Axes.Left);
        plot.Axes.SetLimitsY(0, runs.Max(r => Math.Max(Math.Max(r.IndexBytesPerVector, r.RssBytesPerVector), r.HnswlibFormulaBytesPerVector)) * 1.15,
            plot.Axes.Right);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 600);
    }
}
