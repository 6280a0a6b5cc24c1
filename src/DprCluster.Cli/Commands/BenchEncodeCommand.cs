using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DprCluster.Encoders;
using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Encoders.Transformer;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Text.Tokenization;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster bench encode --model DIR --batch 1,8,32,128 --threads N</c>: encoder throughput and latency per batch
/// size on real text (NQ questions or SciFact passages from ../shared/data), at two levels: "run" (pre-tokenised ids →
/// ONNX Runtime → pooled vectors, what onnxruntime-node is compared with by tests/benchmarks/compare_encode.mjs) and
/// "encode" (text → vectors, tokenisation included). Throughput is given per wall-clock second and per CPU second of
/// the process (less sensitive to other load on a shared machine). Managed bytes allocated per batch are measured on
/// the timing thread with GC.GetAllocatedBytesForCurrentThread.
/// </summary>
internal static class BenchEncodeCommand
{
    public static Command Create()
    {
        var modelOption = new Option<string>("--encoder", "--model")
        {
            Description = "arctic-embed-xs, all-minilm-l6-v2 or an ONNX model directory (Hugging Face layout).",
            Required = true,
        };
        var batchOption = new Option<string>("--batch") { Description = "Comma-separated batch sizes.", DefaultValueFactory = _ => "1,8,32,128" };
        var threadsOption = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads.", DefaultValueFactory = _ => 1 };
        var kindOption = new Option<string>("--kind")
        {
            Description = "query: NQ-open questions; passage: SciFact (title, text) pairs.",
            DefaultValueFactory = _ => "passage",
        };
        kindOption.AcceptOnlyFromAmong("query", "passage");
        var textsOption = new Option<int>("--texts") { Description = "How many texts to cycle through.", DefaultValueFactory = _ => 512 };
        var secondsOption = new Option<double>("--seconds")
        {
            Description = "Timed seconds per batch size and level (after a second of untimed warm-up batches; a batch slower than this is timed once).",
            DefaultValueFactory = _ => 3,
        };
        var dataOption = new Option<string?>("--data") { Description = "Data directory (default: ../shared/data beside the repository)." };
        var jsonOption = new Option<string?>("--json") { Description = "Also write the results as JSON to this file." };
        var command = new Command("encode", "Encoder throughput (sequences/s) and p50/p99 latency per batch size.")
        {
            modelOption, batchOption, threadsOption, kindOption, textsOption, secondsOption, dataOption, jsonOption,
        };
        command.SetAction(parse => Run(parse.GetValue(modelOption)!, parse.GetValue(batchOption)!, parse.GetValue(threadsOption),
            parse.GetValue(kindOption) == "query" ? EncoderKind.Query : EncoderKind.Passage, parse.GetValue(textsOption),
            parse.GetValue(secondsOption), parse.GetValue(dataOption), parse.GetValue(jsonOption)));
        return command;
    }

    /// <summary>One row of the table.</summary>
    private sealed record Measurement(string Level, int Batch, int Batches, double SequencesPerSecond, double SequencesPerCpuSecond,
        double P50Ms, double P99Ms, double AllocatedBytesPerBatch);

    private static int Run(string model, string batchList, int threads, EncoderKind kind, int textCount, double seconds, string? data, string? json)
    {
        int[] batchSizes;
        try
        {
            batchSizes = batchList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        }
        catch (FormatException)
        {
            Console.Error.WriteLine($"error: --batch must be comma-separated integers, not '{batchList}'.");
            return 2;
        }
        if (batchSizes.Length == 0 || batchSizes.Any(b => b < 1) || threads < 0 || textCount < 1 || seconds <= 0)
        {
            Console.Error.WriteLine("error: batch sizes and --texts must be positive, --threads at least 0, --seconds above 0.");
            return 2;
        }
        TransformerModel encoder;
        PassageText[] texts;
        try
        {
            texts = ReadTexts(kind, data ?? Path.Combine(FindShared() ?? ".", "data"), textCount);
            model = ModelDirectory(model);
            encoder = TransformerModel.Open(model, new TransformerEncoderOptions
            {
                MaxBatchSize = batchSizes.Max(),
                Session = new OnnxSessionOptions { IntraOpThreads = threads, InterOpThreads = 1 },
            });
        }
        catch (Exception e) when (e is ModelFormatException or OnnxSessionException or ClusterConfigurationException or IOException
                                       or JsonException or KeyNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        using (encoder)
        {
            BertTokenizer tokenizer = BertTokenizer.FromDirectory(model);
            var tokenizerOptions = new TokenizerOptions { MaxLength = encoder.Settings.MaxLength, TokenTypes = TokenTypeMode.Zeros };
            int[][] ids = texts.Select(t => kind == EncoderKind.Query || t.Title.Length == 0
                ? tokenizer.Encode(t.Text, tokenizerOptions)
                : tokenizer.EncodePair(t.Title, t.Text, tokenizerOptions)).ToArray();
            Console.WriteLine($"model {encoder.Session.ModelPath} ({encoder.Dimension}-d, pooling {encoder.Pooling}), ONNX Runtime " +
                $"{OnnxSession.RuntimeVersion}, intra-op threads {threads}, {texts.Length} {(kind == EncoderKind.Query ? "NQ questions" : "SciFact passages")}, " +
                $"mean {ids.Average(i => i.Length):F1} tokens (max {encoder.Settings.MaxLength})");
            Console.WriteLine($"{"level",-7} {"batch",5} {"batches",8} {"seq/s",10} {"seq/cpu-s",10} {"p50 ms",9} {"p99 ms",9} {"alloc B/batch",14}");
            var results = new List<Measurement>();
            foreach (int batch in batchSizes)
            {
                foreach (Measurement m in new[] { MeasureRun(encoder, ids, batch, seconds), MeasureEncode(encoder, kind, texts, batch, seconds) })
                {
                    results.Add(m);
                    Console.WriteLine($"{m.Level,-7} {m.Batch,5} {m.Batches,8} {m.SequencesPerSecond,10:F1} {m.SequencesPerCpuSecond,10:F1} {m.P50Ms,9:F3} {m.P99Ms,9:F3} {m.AllocatedBytesPerBatch,14:F1}");
                }
            }
            if (json is not null)
            {
                File.WriteAllText(json, JsonSerializer.Serialize(results));
            }
        }
        return 0;
    }

    /// <summary>Pre-tokenised batches → ONNX Runtime → [CLS]/pooled vectors: the binding's own cost on top of ORT.</summary>
    private static Measurement MeasureRun(TransformerModel encoder, int[][] ids, int batch, double seconds)
    {
        var batches = new List<(long[] Ids, int[] Lengths, int Width)>();
        for (int start = 0; start + batch <= ids.Length; start += batch)
        {
            int width = 1;
            for (int r = 0; r < batch; r++)
            {
                width = Math.Max(width, ids[start + r].Length);
            }
            var flat = new long[batch * width];
            var lengths = new int[batch];
            for (int r = 0; r < batch; r++)
            {
                int[] row = ids[start + r];
                lengths[r] = row.Length;
                for (int t = 0; t < row.Length; t++)
                {
                    flat[r * width + t] = row[t];
                }
            }
            batches.Add((flat, lengths, width));
        }
        if (batches.Count == 0)
        {
            throw new ArgumentException($"--texts ({ids.Length}) must be at least the batch size {batch}.");
        }
        var vectors = new float[batch * encoder.Dimension];
        return Measure("run", batch, batches.Count, seconds, i =>
        {
            var (flat, lengths, width) = batches[i % batches.Count];
            encoder.EncodeTokenized(flat, lengths, width, vectors);
        });
    }

    /// <summary>Text → vectors: tokenisation, padding, run and pooling.</summary>
    private static Measurement MeasureEncode(TransformerModel encoder, EncoderKind kind, PassageText[] texts, int batch, double seconds)
    {
        int batches = texts.Length / batch;
        string[] queries = texts.Select(t => t.Text).ToArray();
        var vectors = new float[batch * encoder.Dimension];
        return Measure("encode", batch, batches, seconds, i =>
        {
            int start = i % batches * batch;
            if (kind == EncoderKind.Query)
            {
                encoder.EncodeSingles(queries.AsSpan(start, batch), string.Empty, vectors);
            }
            else
            {
                encoder.EncodePassages(texts.AsSpan(start, batch), string.Empty, vectors);
            }
        });
    }

    private static Measurement Measure(string level, int batch, int batches, double seconds, Action<int> runBatch)
    {
        // A second of untimed batches (at least one), as tools/encoder/bench.mjs does: the JIT's background
        // recompilation and the runtime's first runs are not the steady state an encoder silo serves in.
        long warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        int warm = 0;
        do
        {
            runBatch(warm++);
        }
        while (Stopwatch.GetTimestamp() < warmUntil);
        var latencies = new double[1 << 20];
        int iterations = 0;
        long budget = (long)(seconds * Stopwatch.Frequency);
        TimeSpan cpuBefore = Environment.CpuUsage.TotalTime;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        long now = start;
        while ((now - start < budget || iterations == 0) && iterations < latencies.Length)
        {
            runBatch(iterations);
            long after = Stopwatch.GetTimestamp();
            latencies[iterations++] = (after - now) * 1000.0 / Stopwatch.Frequency;
            now = after;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        double cpuSeconds = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
        double elapsed = (now - start) / (double)Stopwatch.Frequency;
        Array.Sort(latencies, 0, iterations);
        return new Measurement(level, batch, batches, iterations * (double)batch / elapsed, iterations * (double)batch / cpuSeconds,
            Percentile(latencies, iterations, 0.50),
            Percentile(latencies, iterations, 0.99), allocated / (double)iterations);
    }

    /// <summary>A pretrained model's name becomes its extracted directory; anything else is taken as a directory.</summary>
    private static string ModelDirectory(string model)
    {
        EncoderOptions resolved = EncoderFactory.Resolve(new EncoderOptions { Model = model });
        return resolved.Kind == "onnx" && resolved.QuestionModel is { } directory
            ? directory
            : throw new ClusterConfigurationException($"bench encode measures ONNX models; '{model}' is not one.");
    }

    private static double Percentile(double[] sorted, int count, double p) => sorted[Math.Min(count - 1, (int)Math.Ceiling(p * count) - 1)];

    private static PassageText[] ReadTexts(EncoderKind kind, string data, int count)
    {
        string path = kind == EncoderKind.Query
            ? Path.Combine(data, "nq-open", "NQ-open.dev.jsonl")
            : Path.Combine(data, "scifact", "corpus.jsonl");
        var texts = new List<PassageText>(count);
        foreach (string line in File.ReadLines(path))
        {
            if (texts.Count == count)
            {
                break;
            }
            if (line.Length == 0)
            {
                continue;
            }
            using var document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            texts.Add(kind == EncoderKind.Query
                ? new PassageText(string.Empty, root.GetProperty("question").GetString() ?? string.Empty)
                : new PassageText(root.GetProperty("title").GetString() ?? string.Empty, root.GetProperty("text").GetString() ?? string.Empty));
        }
        return texts.ToArray();
    }

    // ../shared sits beside the repository root, the directory holding DprCluster.sln.
    private static string? FindShared()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
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
