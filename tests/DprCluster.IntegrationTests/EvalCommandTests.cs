using System.Text.RegularExpressions;
using DprCluster.Testing;

namespace DprCluster.IntegrationTests;

/// <summary><c>dprcluster eval --mode dense|hybrid --encoder …</c> in-process on a small BEIR folder.</summary>
public sealed partial class EvalCommandTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);
    private readonly string _root = Directory.CreateTempSubdirectory("dprcluster-eval-").FullName;

    public EvalCommandTests()
    {
        string data = Path.Combine(_root, "beir");
        Directory.CreateDirectory(Path.Combine(data, "qrels"));
        File.WriteAllLines(Path.Combine(data, "corpus.jsonl"),
        [
            """{"_id": "d1", "title": "Everest", "text": "Mount Everest is the highest mountain above sea level."}""",
            """{"_id": "d2", "title": "Nile", "text": "The Nile is a long river that flows north through Africa."}""",
            """{"_id": "d3", "title": "Sahara", "text": "The Sahara is the largest hot desert in the world."}""",
            """{"_id": "d4", "title": "Cheetah", "text": "The cheetah is the fastest land animal."}""",
        ]);
        File.WriteAllLines(Path.Combine(data, "queries.jsonl"),
        [
            """{"_id": "q1", "text": "highest mountain"}""",
            """{"_id": "q2", "text": "largest hot desert"}""",
        ]);
        File.WriteAllLines(Path.Combine(data, "qrels", "test.tsv"), ["query-id\tcorpus-id\tscore", "q1\td1\t1", "q2\td3\t1"]);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("dense")]
    [InlineData("hybrid")]
    public async Task Dense_and_hybrid_run_in_process_and_a_second_run_reads_the_cached_passage_vectors(string mode)
    {
        (int code, string output) = await EvalAsync(mode, RepositoryPaths.TinyModel);
        Assert.True(code == 0, output);
        double first = NdcgAt10(output);
        Assert.InRange(first, 0, 1);
        Assert.Contains("passages encoded", output);

        (code, output) = await EvalAsync(mode, RepositoryPaths.TinyModel);
        Assert.True(code == 0, output);
        Assert.Contains("passage vectors read from", output);
        Assert.Equal(first, NdcgAt10(output));
    }

    [Fact]
    public async Task An_unknown_encoder_is_refused_with_a_message_naming_the_models()
    {
        (int code, string output) = await EvalAsync("dense", "no-such-model");
        Assert.NotEqual(0, code);
        Assert.Contains("arctic-embed-xs", output);
    }

    private async Task<(int Code, string Output)> EvalAsync(string mode, string encoder)
    {
        using var process = new ChildProcess("eval", RepositoryPaths.DotnetHost,
            [RepositoryPaths.CliAssembly, "eval", "--beir", Path.Combine(_root, "beir"), "--mode", mode, "--encoder", encoder, "--k", "10"],
            new Dictionary<string, string> { ["DPRCLUSTER_CACHE"] = Path.Combine(_root, "cache") });
        using var deadline = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, process.Output);
    }

    private static double NdcgAt10(string output) =>
        double.Parse(NdcgLine().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"nDCG@10\s+([0-9.]+)")]
    private static partial Regex NdcgLine();
}
