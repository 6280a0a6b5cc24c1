using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DprCluster.Text.Tokenization;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster bench tokenize</c>: single-thread tokenizer throughput (MB/s of UTF-8 input, tokens/s) and
/// allocation per call over SciFact passages, SQuAD paragraphs and NQ questions from ../shared/data.
/// </summary>
internal static class BenchTokenizeCommand
{
    private static readonly UTF8Encoding Utf8 = new(false);

    public static Command Create()
    {
        var tokenizerOption = new Option<string?>("--tokenizer")
        {
            Description = "Tokenizer directory (default: ../shared/models/bert-base-uncased-tokenizer beside the repository).",
        };
        var dataOption = new Option<string?>("--data") { Description = "Data directory (default: ../shared/data beside the repository)." };
        var repeatOption = new Option<int>("--repeat")
        {
            Description = "Timed passes per data set; the table shows the median.",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("tokenize", "Tokenizer throughput on one thread (MB/s, tokens/s, bytes allocated per call).")
        {
            tokenizerOption, dataOption, repeatOption,
        };
        command.SetAction(parse => Run(parse.GetValue(tokenizerOption), parse.GetValue(dataOption), Math.Max(1, parse.GetValue(repeatOption))));
        return command;
    }

    private static int Run(string? tokenizerDirectory, string? dataDirectory, int repeat)
    {
        var shared = FindShared();
        tokenizerDirectory ??= Path.Combine(shared ?? ".", "models", "bert-base-uncased-tokenizer");
        dataDirectory ??= Path.Combine(shared ?? ".", "data");
        BertTokenizer tokenizer;
        List<(string Name, string[] Firsts, string[]? Seconds, TokenizerOptions Options)> sets;
        try
        {
            tokenizer = BertTokenizer.FromDirectory(tokenizerDirectory);
            var scifact = ReadJsonLines(Path.Combine(dataDirectory, "scifact", "corpus.jsonl"));
            var titles = scifact.Select(d => d.GetProperty("title").GetString() ?? "").ToArray();
            var texts = scifact.Select(d => d.GetProperty("text").GetString() ?? "").ToArray();
            var noLimit = new TokenizerOptions { MaxLength = int.MaxValue };
            sets =
            [
                ("SciFact title + text", [.. titles.Zip(texts, (t, x) => t + " " + x)], null, noLimit),
                ("SciFact (title, text), DPR 256", titles, texts, TokenizerOptions.Dpr),
                ("SQuAD paragraphs", ReadSquadParagraphs(Path.Combine(dataDirectory, "squad-v1.1-dev", "dev-v1.1.json")), null, noLimit),
                ("NQ questions", [.. ReadJsonLines(Path.Combine(dataDirectory, "nq-open", "NQ-open.dev.jsonl"))
                    .Select(q => q.GetProperty("question").GetString() ?? "")], null, noLimit),
            ];
        }
        catch (Exception e) when (e is IOException or JsonException or TokenizerFormatException or KeyNotFoundException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }

        // MB per CPU-second stays meaningful when other processes share the cores; MB/s is wall-clock.
        Console.WriteLine($"Tokenizer throughput, one thread, median of {repeat} passes (after one warm-up pass)");
        Console.WriteLine($"{"data set",-32} {"texts",7} {"MB",7} {"tokens",10} {"MB/s",7} {"MB/CPU-s",9} {"tokens/s",11} {"B alloc/call",13}");
        foreach (var (name, firsts, seconds, options) in sets)
        {
            var megabytes = (firsts.Sum(s => (long)Utf8.GetByteCount(s)) + (seconds?.Sum(s => (long)Utf8.GetByteCount(s)) ?? 0)) / 1e6;
            var buffer = new int[options.MaxLength == int.MaxValue ? 1 << 16 : options.MaxLength];
            Pass(tokenizer, firsts, seconds, options, buffer);
            var timings = new double[repeat];
            var cpuTimings = new double[repeat];
            long tokens = 0;
            long allocated = 0;
            for (var r = 0; r < repeat; r++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                tokens = Pass(tokenizer, firsts, seconds, options, buffer);
                timings[r] = watch.Elapsed.TotalSeconds;
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                cpuTimings[r] = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            }

            Array.Sort(timings);
            Array.Sort(cpuTimings);
            var median = timings[repeat / 2];
            var cpuMedian = cpuTimings[repeat / 2];
            Console.WriteLine(
                $"{name,-32} {firsts.Length,7} {megabytes,7:F2} {tokens,10} {megabytes / median,7:F1} {megabytes / cpuMedian,9:F1} {tokens / median,11:N0} {allocated / (double)firsts.Length,13:F1}");
        }

        return 0;
    }

    private static long Pass(BertTokenizer tokenizer, string[] firsts, string[]? seconds, TokenizerOptions options, int[] buffer)
    {
        long tokens = 0;
        for (var i = 0; i < firsts.Length; i++)
        {
            tokens += seconds is null
                ? tokenizer.Encode(firsts[i], options, buffer)
                : tokenizer.EncodePair(firsts[i], seconds[i], options, buffer);
        }

        return tokens;
    }

    private static List<JsonElement> ReadJsonLines(string path) =>
        [.. File.ReadLines(path).Where(line => line.Length > 0).Select(line => JsonDocument.Parse(line).RootElement)];

    private static string[] ReadSquadParagraphs(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. document.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(article => article.GetProperty("paragraphs").EnumerateArray())
            .Select(paragraph => paragraph.GetProperty("context").GetString() ?? "")];
    }

    // ../shared sits beside the repository root, the directory holding DprCluster.sln.
    private static string? FindShared()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "DprCluster.sln")))
                {
                    return Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared"));
                }
            }
        }

        return null;
    }
}
