using System.CommandLine;
using DprCluster.Cli.Benchmarks;
using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;

namespace DprCluster.Cli.Commands;

/// <summary><c>dprcluster bench ann</c>: recall / QPS / build table for the HNSW index.</summary>
internal static class BenchAnnCommand
{
    public static Command Create()
    {
        var basePath = new Option<string>("--base") { Description = "Base vectors (.fvecs, .bvecs or idx3-ubyte[.gz]).", Required = true };
        var queries = new Option<string>("--queries") { Description = "Query vectors, same formats.", Required = true };
        var groundTruth = new Option<string>("--groundtruth") { Description = "Exact neighbours (.ivecs).", Required = true };
        var metric = new Option<string>("--metric") { Description = "l2, ip or cosine.", DefaultValueFactory = _ => "l2" };
        var m = new Option<int>("--m") { Description = "HNSW M.", DefaultValueFactory = _ => 16 };
        var efConstruction = new Option<int>("--ef-construction") { DefaultValueFactory = _ => 200 };
        var ef = new Option<string>("--ef") { Description = "Comma-separated ef values.", DefaultValueFactory = _ => "10,20,40,80,160,320" };
        var k = new Option<int>("--k") { DefaultValueFactory = _ => 10 };
        var threads = new Option<int>("--threads") { Description = "Search threads.", DefaultValueFactory = _ => 1 };
        var buildThreads = new Option<int>("--build-threads") { Description = "Build threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var baseLimit = new Option<int>("--base-limit") { Description = "Use only the first N base vectors.", DefaultValueFactory = _ => int.MaxValue };
        var queryLimit = new Option<int>("--query-limit") { Description = "Use only the first N queries.", DefaultValueFactory = _ => int.MaxValue };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file." };
        var quantization = new Option<string>("--quantization")
        {
            Description = "none (float32) or sq8 (8-bit codes in RAM, full-precision originals in a scratch file for re-ranking).",
            DefaultValueFactory = _ => "none",
        };
        quantization.AcceptOnlyFromAmong("none", "sq8");

        var command = new Command("ann", "ANN benchmark: build time, memory, and recall@k / QPS / latency per ef.")
        {
            basePath, queries, groundTruth, metric, m, efConstruction, ef, k, threads, buildThreads, baseLimit, queryLimit, json, quantization,
        };
        command.SetAction(parse =>
        {
            int build = parse.GetValue(buildThreads);
            var settings = new AnnBenchmarkSettings(
                parse.GetValue(basePath)!, parse.GetValue(queries)!, parse.GetValue(groundTruth)!,
                MetricNames.Parse(parse.GetValue(metric)!), parse.GetValue(m), parse.GetValue(efConstruction),
                ParseList(parse.GetValue(ef)!), parse.GetValue(k), Math.Max(1, parse.GetValue(threads)),
                build <= 0 ? Environment.ProcessorCount : build,
                parse.GetValue(baseLimit), parse.GetValue(queryLimit), parse.GetValue(json),
                VectorQuantizationNames.Parse(parse.GetValue(quantization)!));
            AnnBenchmark.Run(settings, Console.Out);
            return 0;
        });
        return command;
    }

    private static int[] ParseList(string text) =>
        Array.ConvertAll(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), int.Parse);
}
