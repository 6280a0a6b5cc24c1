using System.CommandLine;
using DprCluster.Cli.Evaluation;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster bench bm25</c>: indexing time, index file write/read, and single-thread query throughput of
/// MaxScore versus exhaustive scoring (and a 4-shard search) on a BEIR corpus, SciFact by default.
/// </summary>
internal static class BenchBm25Command
{
    public static Command Create()
    {
        var beir = new Option<string?>("--beir") { Description = "BEIR-format directory (default: SciFact in ../shared/data beside the repository)." };
        var split = new Option<string>("--split") { Description = "Query split.", DefaultValueFactory = _ => "test" };
        var passes = new Option<int>("--passes") { Description = "Timed passes per measurement; the table shows the median.", DefaultValueFactory = _ => 5 };
        var scale = new Option<int>("--scale") { Description = "Also compare search on this many noisy copies of the corpus (1 skips).", DefaultValueFactory = _ => 20 };
        var command = new Command("bm25", "BM25 indexing and query throughput (MaxScore vs exhaustive) on one thread.")
        {
            beir, split, passes, scale,
        };
        command.SetAction(parse =>
        {
            try
            {
                string directory = parse.GetValue(beir) ?? DefaultSciFact();
                Bm25Benchmark.Run(directory, parse.GetValue(split)!, Math.Max(1, parse.GetValue(passes)), parse.GetValue(scale), Console.Out);
                return 0;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    // ../shared/data/scifact beside the directory holding DprCluster.sln, searched upwards from here and from the binary.
    private static string DefaultSciFact()
    {
        foreach (string start in (string[])[Directory.GetCurrentDirectory(), AppContext.BaseDirectory])
        {
            for (DirectoryInfo? directory = new(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "DprCluster.sln")))
                {
                    return Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "data", "scifact"));
                }
            }
        }
        throw new DirectoryNotFoundException("SciFact not found: no DprCluster.sln above the current directory; pass --beir DIR.");
    }
}
