using System.Text.RegularExpressions;
using DprCluster.Testing;

namespace DprCluster.IntegrationTests;

/// <summary><c>dprcluster demo</c> as the README runs it: the embedded default encoder, a fresh data directory, then a restart over it.</summary>
public sealed partial class DemoCommandTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("dprcluster-demo-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task The_default_encoder_puts_each_sample_questions_intended_passage_first_and_a_restart_recovers_the_passages()
    {
        (int code, string output) = await DemoAsync();
        Assert.True(code == 0, output);
        Assert.Contains("encoder all-minilm-l6-v2", output);
        Assert.Contains("ingested 396 passages", output);
        Match summary = Summary().Match(output);
        Assert.True(summary.Success, output);
        Assert.Equal(summary.Groups[2].Value, summary.Groups[1].Value);
        Assert.Equal(int.Parse(summary.Groups[2].Value), Regex.Matches(output, "intended passage '[^']+' at rank 1").Count);

        (code, output) = await DemoAsync();
        Assert.True(code == 0, output);
        Assert.Contains("recovered 396 passages", output);
        Assert.Contains("nothing to ingest", output);
    }

    private async Task<(int Code, string Output)> DemoAsync()
    {
        using var process = new ChildProcess("demo", RepositoryPaths.DotnetHost, [RepositoryPaths.CliAssembly, "demo", "--data", _data]);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, process.Output);
    }

    [GeneratedRegex(@"(\d+) of (\d+) sample questions have their intended passage at rank 1")]
    private static partial Regex Summary();
}
