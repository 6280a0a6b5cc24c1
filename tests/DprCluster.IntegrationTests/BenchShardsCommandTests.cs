using System.Text.Json;
using DprCluster.Testing;

namespace DprCluster.IntegrationTests;

/// <summary><c>dprcluster bench shards</c> on a small set: both layouts built side by side, measured and compared.</summary>
public sealed class BenchShardsCommandTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);
    private readonly string _root = Directory.CreateTempSubdirectory("dprcluster-bench-shards-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Layouts_are_measured_in_rounds_and_compared_with_the_first()
    {
        string json = Path.Combine(_root, "shards.json");
        (int code, string output) = await RunAsync("--count", "3000", "--dim", "16", "--shards", "1,2", "--queries", "40", "--ef", "4,16,64",
            "--rounds", "2", "--duration", "0.2", "--json", json);
        Assert.True(code == 0, output);

        using JsonDocument report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        JsonElement[] layouts = [.. report.RootElement.GetProperty("layouts").EnumerateArray()];
        Assert.Equal([1, 2], layouts.Select(l => l.GetProperty("shards").GetInt32()));
        foreach (JsonElement layout in layouts)
        {
            JsonElement[] results = [.. layout.GetProperty("results").EnumerateArray()];
            Assert.Equal([4, 16, 64], results.Select(r => r.GetProperty("ef").GetInt32()));
            foreach (JsonElement result in results)
            {
                Assert.InRange(result.GetProperty("recall").GetDouble(), 0, 1);
                Assert.Equal(2, result.GetProperty("round_qps").GetArrayLength());
                Assert.True(result.GetProperty("median_qps").GetDouble() > 0);
            }
            // A wide beam over 3,000 vectors finds nearly every true neighbour.
            Assert.True(results[^1].GetProperty("recall").GetDouble() > 0.9, output);
        }
        // The baseline compared with itself: every same-ef ratio is exactly 1.
        Assert.All(layouts[0].GetProperty("ratios").EnumerateArray(), r => Assert.Equal(1.0, r.GetProperty("same_ef").GetDouble()));
        Assert.Contains("2 shard(s)", output);
    }

    [Fact]
    public async Task A_shard_list_that_is_not_numbers_is_refused()
    {
        (int code, string output) = await RunAsync("--shards", "1,four");
        Assert.Equal(2, code);
        Assert.Contains("--shards", output);
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] arguments)
    {
        using var process = new ChildProcess("bench-shards", RepositoryPaths.DotnetHost,
            [RepositoryPaths.CliAssembly, "bench", "shards", "--work", Path.Combine(_root, "work"), .. arguments]);
        using var deadline = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, process.Output);
    }
}
