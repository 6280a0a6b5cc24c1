using System.Globalization;
using System.Text.Json;

namespace DprCluster.Cli.Evaluation;

/// <summary>What one <c>dprcluster eval</c> run measured; printed as a table and optionally written as JSON.</summary>
internal sealed record EvaluationReport(
    string Dataset,
    string Split,
    string Mode,
    string Retriever,
    int Passages,
    int Queries,
    int K,
    double IndexingSeconds,
    double QueriesPerSecond,
    IReadOnlyDictionary<string, double> Metrics)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public void Print(TextWriter output)
    {
        output.WriteLine($"dataset    {Dataset} (split {Split}): {Passages:N0} passages, {Queries:N0} queries");
        output.WriteLine($"retriever  {Retriever}");
        // Zero means nothing was indexed here: eval --url searches a cluster that indexed the corpus at ingest time.
        output.WriteLine(IndexingSeconds == 0
            ? "indexing   done by the cluster at ingest time"
            : $"indexing   {IndexingSeconds.ToString("F3", CultureInfo.InvariantCulture)} s " +
              $"({(Passages / Math.Max(IndexingSeconds, 1e-9)).ToString("N0", CultureInfo.InvariantCulture)} passages/s)");
        output.WriteLine();
        int width = Math.Max(10, Metrics.Keys.Max(name => name.Length)) + 2;
        output.WriteLine($"{"measure".PadRight(width)}value");
        foreach ((string name, double value) in Metrics)
        {
            output.WriteLine($"{name.PadRight(width)}{value.ToString("F4", CultureInfo.InvariantCulture)}");
        }
        output.WriteLine(
            $"{"queries/s".PadRight(width)}{QueriesPerSecond.ToString("F1", CultureInfo.InvariantCulture)} " +
            $"(one thread, top-{K}, query analysis included)");
    }

    public void WriteJson(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));
}
