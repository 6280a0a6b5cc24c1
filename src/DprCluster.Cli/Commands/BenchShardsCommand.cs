using System.CommandLine;
using DprCluster.Cli.Benchmarks;
using DprCluster.Index.Quantization;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster bench shards</c>: QPS of S shards in one silo against fewer shards holding the same vectors, measured in
/// alternating rounds in one process (see <see cref="ShardFanoutBenchmark"/>).
/// </summary>
internal static class BenchShardsCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Vectors N.", DefaultValueFactory = _ => 200_000 };
        var dim = new Option<int>("--dim") { Description = "Vector dimension.", DefaultValueFactory = _ => 128 };
        var shards = new Option<string>("--shards") { Description = "Shard counts to compare, comma-separated; the first is the baseline.", DefaultValueFactory = _ => "1,4" };
        var vectors = new Option<string?>("--vectors") { Description = "Read vectors from FILE.fvecs|.npy: the first N rows are the base, the next the queries." };
        var queries = new Option<int>("--queries") { Description = "Query vectors.", DefaultValueFactory = _ => 1000 };
        var ef = new Option<string>("--ef") { Description = "Beam widths, comma-separated: wide enough that the baseline's recalls bracket the others'.", DefaultValueFactory = _ => "8,12,16,24,32,48,64,96" };
        var k = new Option<int>("--k") { Description = "Hits per search (recall@k).", DefaultValueFactory = _ => 10 };
        var m = new Option<int>("--m") { Description = "HNSW M.", DefaultValueFactory = _ => 16 };
        var efConstruction = new Option<int>("--ef-construction") { Description = "HNSW efConstruction.", DefaultValueFactory = _ => 100 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent searches.", DefaultValueFactory = _ => 4 };
        var seconds = new Option<double>("--duration") { Description = "Measured seconds per layout, ef and round.", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds; each layout's QPS is the median.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated vectors.", DefaultValueFactory = _ => 7 };
        var work = new Option<string?>("--work") { Description = "Directory for the shards' data (default: a temporary one, removed after)." };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON." };
        var command = new Command("shards", "QPS of S shards in one silo against fewer holding the same vectors, side by side in one process.")
        {
            count, dim, shards, vectors, queries, ef, k, m, efConstruction, concurrency, seconds, rounds, seed, work, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int[]? layouts = BenchScaleCommand.ParseList(parse.GetValue(shards)!);
            int[]? efs = BenchScaleCommand.ParseList(parse.GetValue(ef)!);
            if (layouts is null || efs is null || layouts.Any(n => n is < 1 or > 64) || efs.Any(e => e is < 1 or > 4096))
            {
                Console.Error.WriteLine("error: --shards takes shard counts in [1, 64] and --ef beam widths in [1, 4096], comma-separated.");
                return 2;
            }
            if (parse.GetValue(count) is < 1 or > 50_000_000 || parse.GetValue(dim) is < 1 or > 4096 || parse.GetValue(queries) is < 1 or > 100_000
                || parse.GetValue(k) is < 1 or > 1000 || parse.GetValue(concurrency) is < 1 or > 256 || parse.GetValue(seconds) is <= 0 or > 600
                || parse.GetValue(rounds) is < 1 or > 100 || parse.GetValue(m) is < 2 or > 256 || parse.GetValue(efConstruction) < 1)
            {
                Console.Error.WriteLine("error: --count [1, 50,000,000], --dim [1, 4096], --queries [1, 100,000], --k [1, 1000], " +
                    "--concurrency [1, 256], --duration (0, 600], --rounds [1, 100], --m [2, 256], --ef-construction ≥ 1.");
                return 2;
            }
            return await BenchWorkDirectory.RunAsync(parse.GetValue(work), "dprcluster-shards-", async workDirectory =>
            {
                var settings = new ScaleSettings([parse.GetValue(count)], parse.GetValue(dim), layouts[0], VectorQuantization.None,
                    parse.GetValue(vectors), parse.GetValue(queries), efs, parse.GetValue(k), parse.GetValue(m), parse.GetValue(efConstruction),
                    parse.GetValue(concurrency), parse.GetValue(seconds), ImportBatch: 1000, ImportConcurrency: 4, parse.GetValue(seed), workDirectory,
                    ExportDirectory: null);
                FanoutReport report = await ShardFanoutBenchmark.RunAsync(settings, layouts, parse.GetValue(rounds), Console.Out, cancellationToken)
                    .ConfigureAwait(false);
                await BenchWorkDirectory.WriteJsonAsync(parse.GetValue(json), report, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        });
        return command;
    }
}
