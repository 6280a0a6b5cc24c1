using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DprCluster.Cli.Benchmarks;
using DprCluster.Index.Quantization;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster bench scale</c>: import, memory, recall and latency of the cluster at growing N (see
/// <see cref="ScaleBenchmark"/>), printed as tables, written as JSON and drawn as a PNG.
/// </summary>
internal static class BenchScaleCommand
{
    private const double RecallTarget = 0.95;

    public static Command Create()
    {
        var counts = new Option<string>("--count") { Description = "Sizes N, comma-separated.", DefaultValueFactory = _ => "100000,300000,1000000" };
        var dim = new Option<int>("--dim") { Description = "Vector dimension.", DefaultValueFactory = _ => 384 };
        var shards = new Option<int>("--shards") { Description = "Shards in the silo.", DefaultValueFactory = _ => 4 };
        var sq8 = new Option<bool>("--sq8") { Description = "Create the shards with SQ8 quantization (codes in RAM, originals on disk)." };
        var vectors = new Option<string?>("--vectors") { Description = "Read vectors from FILE.fvecs|.npy: the first N rows are the base, the next the queries." };
        var queries = new Option<int>("--queries") { Description = "Query vectors.", DefaultValueFactory = _ => 500 };
        var ef = new Option<string>("--ef") { Description = "Beam widths, comma-separated.", DefaultValueFactory = _ => "16,32,64,128,256" };
        var k = new Option<int>("--k") { Description = "Hits per search (recall@k).", DefaultValueFactory = _ => 10 };
        var m = new Option<int>("--m") { Description = "HNSW M.", DefaultValueFactory = _ => 16 };
        var efConstruction = new Option<int>("--ef-construction") { Description = "HNSW efConstruction.", DefaultValueFactory = _ => 100 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent searches.", DefaultValueFactory = _ => 4 };
        var seconds = new Option<double>("--duration") { Description = "Measured seconds per ef.", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch") { Description = "Passages per import request.", DefaultValueFactory = _ => 1000 };
        var importConcurrency = new Option<int>("--import-concurrency") { Description = "Concurrent import requests.", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated vectors.", DefaultValueFactory = _ => 7 };
        var work = new Option<string?>("--work") { Description = "Directory for the shards' data (default: a temporary one, removed after)." };
        var export = new Option<string?>("--export") { Description = "Write base.fvecs, queries.fvecs and truth-N.ivecs here for scale_hnswlib.py." };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON." };
        var png = new Option<string?>("--png") { Description = "Draw latency and memory against N as a PNG." };
        var command = new Command("scale", "Import, memory, recall and latency of the cluster at growing N: tables, JSON and a PNG.")
        {
            counts, dim, shards, sq8, vectors, queries, ef, k, m, efConstruction, concurrency, seconds, batch, importConcurrency, seed, work,
            export, json, png,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int[]? sizes = ParseList(parse.GetValue(counts)!);
            int[]? efs = ParseList(parse.GetValue(ef)!);
            if (sizes is null || efs is null || sizes.Any(n => n is < 1 or > 50_000_000) || efs.Any(e => e is < 1 or > 4096))
            {
                Console.Error.WriteLine("error: --count takes sizes in [1, 50,000,000] and --ef beam widths in [1, 4096], comma-separated.");
                return 2;
            }
            if (parse.GetValue(dim) is < 1 or > 4096 || parse.GetValue(shards) is < 1 or > 64 || parse.GetValue(queries) is < 1 or > 100_000
                || parse.GetValue(k) is < 1 or > 1000 || parse.GetValue(concurrency) is < 1 or > 256 || parse.GetValue(seconds) is <= 0 or > 600
                || parse.GetValue(batch) is < 1 or > 1000 || parse.GetValue(importConcurrency) is < 1 or > 64 || parse.GetValue(m) is < 2 or > 256
                || parse.GetValue(efConstruction) < 1)
            {
                Console.Error.WriteLine("error: --dim [1, 4096], --shards [1, 64], --queries [1, 100,000], --k [1, 1000], --concurrency [1, 256], " +
                    "--duration (0, 600], --batch [1, 1000], --import-concurrency [1, 64], --m [2, 256], --ef-construction ≥ 1.");
                return 2;
            }
            return await BenchWorkDirectory.RunAsync(parse.GetValue(work), "dprcluster-scale-", async workDirectory =>
            {
                var settings = new ScaleSettings(sizes, parse.GetValue(dim), parse.GetValue(shards),
                    parse.GetValue(sq8) ? VectorQuantization.Sq8 : VectorQuantization.None, parse.GetValue(vectors), parse.GetValue(queries), efs,
                    parse.GetValue(k), parse.GetValue(m), parse.GetValue(efConstruction), parse.GetValue(concurrency), parse.GetValue(seconds),
                    parse.GetValue(batch), parse.GetValue(importConcurrency), parse.GetValue(seed), workDirectory, parse.GetValue(export));
                ScaleReport report = await ScaleBenchmark.RunAsync(settings, Console.Out, cancellationToken).ConfigureAwait(false);
                PrintSummary(report);
                await BenchWorkDirectory.WriteJsonAsync(parse.GetValue(json), report, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(png) is { } pngPath)
                {
                    ScalePlot.Save(report, RecallTarget, pngPath);
                    Console.WriteLine($"wrote {pngPath}");
                }
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static void PrintSummary(ScaleReport report)
    {
        Console.WriteLine();
        Console.WriteLine($"summary at the first ef with recall@{report.K} ≥ {RecallTarget:F2} (else the most exact one):");
        Console.WriteLine($"{"N",11} {"import/s",9} {"build s",8} {"index B/v",10} {"× hnswlib",9} {"RSS B/v",8} {"ef",5} {"recall",7} {"QPS",8} {"p50 ms",7} {"p99 ms",7}");
        foreach (ScaleRun run in report.Runs)
        {
            ScaleEfResult at = ScaleBenchmark.Operating(run, RecallTarget);
            Console.WriteLine($"{run.Count,11:N0} {run.IngestVectorsPerSecond,9:N0} {run.BuildSeconds,8:F1} {run.IndexBytesPerVector,10:F0} " +
                $"{run.IndexBytesPerVector / run.HnswlibFormulaBytesPerVector,9:F3} {run.RssBytesPerVector,8:F0} {at.Ef,5} {at.Recall,7:F4} {at.Qps,8:N0} " +
                $"{at.P50Ms,7:F3} {at.P99Ms,7:F3}");
        }
    }

    internal static int[]? ParseList(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }
        return values.Length == 0 ? null : values;
    }
}

/// <summary>JSON of the scale report: snake_case like the REST API.</summary>
internal static class ScaleJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
