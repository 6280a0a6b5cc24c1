using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;

namespace DprCluster.Cli.Evaluation;

/// <summary>How the evaluation builds BM25: scoring parameters, analyzer filters and the number of shards.</summary>
internal sealed record Bm25Settings(Bm25Parameters Parameters, EnglishAnalyzerOptions Analyzer, int Shards)
{
    public string Describe() =>
        $"k1={Parameters.K1}, b={Parameters.B}, lengths={Parameters.LengthEncoding.ToString().ToLowerInvariant()}, " +
        $"analyzer={Analyzer.Signature}, shards={Shards}";
}
