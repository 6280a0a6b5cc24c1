using DprCluster.Training;
using ScottPlot;

namespace DprCluster.Cli.Training;

/// <summary>The PNG beside a trained model: training loss and validation nDCG@10 per epoch.</summary>
internal static class TrainingPlot
{
    /// <summary>Loss on the left axis, validation nDCG@10 (epoch 0 = untrained) on the right, the kept epoch marked.</summary>
    public static void Save(TrainingReport report, string title, string path)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("training loss (InfoNCE)");
        var trained = report.Epochs.Where(e => e.Epoch > 0).ToArray();
        var loss = plot.Add.Scatter(trained.Select(e => (double)e.Epoch).ToArray(), trained.Select(e => e.Loss).ToArray());
        loss.LegendText = "training loss";
        var validated = report.Epochs.Where(e => !double.IsNaN(e.ValidationNdcg10)).ToArray();
        if (validated.Length > 0)
        {
            var ndcg = plot.Add.Scatter(validated.Select(e => (double)e.Epoch).ToArray(), validated.Select(e => e.ValidationNdcg10).ToArray());
            ndcg.LegendText = "validation nDCG@10";
            ndcg.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "validation nDCG@10";
            var kept = plot.Add.VerticalLine(report.BestEpoch);
            kept.LegendText = $"kept: epoch {report.BestEpoch}";
            kept.LinePattern = LinePattern.Dashed;
        }
        plot.ShowLegend(Alignment.UpperCenter);
        plot.SavePng(path, 900, 540);
    }
}
