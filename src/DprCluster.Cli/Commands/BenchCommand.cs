using System.CommandLine;

namespace DprCluster.Cli.Commands;

/// <summary><c>dprcluster bench ...</c>: benchmark commands that print tables.</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmarks that print side-by-side tables.")
    {
        BenchAnnCommand.Create(),
        BenchBm25Command.Create(),
        BenchEncodeCommand.Create(),
        BenchScaleCommand.Create(),
        BenchSearchCommand.Create(),
        BenchShardsCommand.Create(),
        BenchTokenizeCommand.Create(),
    };
}
