using System.Diagnostics;
using System.Runtime;
using System.Globalization;
using DprCluster.Abstractions;
using DprCluster.Cli.Cluster;
using DprCluster.Index.Quantization;
using DprCluster.Index.Storage;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;

namespace DprCluster.Cli.Benchmarks;

/// <summary>Settings of one <c>bench scale</c> run.</summary>
internal sealed record ScaleSettings(
    int[] Counts,
    int Dimensions,
    int Shards,
    VectorQuantization Quantization,
    string? VectorsPath,
    int Queries,
    int[] EfValues,
    int K,
    int M,
    int EfConstruction,
    int Concurrency,
    double SecondsPerEf,
    int ImportBatch,
    int ImportConcurrency,
    int Seed,
    string WorkDirectory,
    string? ExportDirectory);

/// <summary>One ef of one size: recall and load-test figures through the coordinator.</summary>
internal sealed record ScaleEfResult(int Ef, double Recall, double Qps, double P50Ms, double P99Ms);

/// <summary>Everything measured at one size N.</summary>
internal sealed record ScaleRun(
    int Count,
    double IngestSeconds,
    double IngestVectorsPerSecond,
    double BuildSeconds,
    long IndexBytes,
    double IndexBytesPerVector,
    double RssBytesPerVector,
    double HnswlibFormulaBytesPerVector,
    ScaleEfResult[] Results);

/// <summary>What <c>--json</c> holds.</summary>
internal sealed record ScaleReport(
    int Dimensions,
    int Shards,
    string Quantization,
    string Source,
    int Queries,
    int K,
    int M,
    int EfConstruction,
    int Concurrency,
    int ImportBatch,
    int ImportConcurrency,
    int ProcessorCount,
    string? ExportDirectory,
    ScaleRun[] Runs);

/// <summary>
/// <c>dprcluster bench scale</c>: for each N, a fresh embedded silo with S shards, N vectors imported through the REST
/// API (batches of precomputed vectors, durable acks), then recall@k against exact search and closed-loop QPS and
/// latency at each ef through the coordinator, with the index's and the process's bytes per vector beside hnswlib's
/// formula. Optionally exports the vectors and truth so <c>tests/benchmarks/scale_hnswlib.py</c> runs hnswlib on them.
/// </summary>
internal static class ScaleBenchmark
{
    public static async Task<ScaleReport> RunAsync(ScaleSettings s, TextWriter output, CancellationToken cancellationToken)
    {
        int largest = s.Counts.Max();
        (float[] baseSet, float[] queries, string source) = Load(s, largest, output);
        if (s.ExportDirectory is not null)
        {
            Export(s.ExportDirectory, baseSet, largest, queries, s.Dimensions);
        }
        output.WriteLine($"{source}: {largest:N0} × {s.Dimensions} base vectors, {s.Queries} queries; {s.Shards} shard(s), " +
            $"quantization {s.Quantization.ToShortName()}, M={s.M}, efConstruction={s.EfConstruction}, k={s.K}, concurrency {s.Concurrency}, " +
            $"{Environment.ProcessorCount} cores");
        var runs = new List<ScaleRun>();
        foreach (int count in s.Counts.Order())
        {
            runs.Add(await RunOneAsync(s, count, baseSet, queries, output, cancellationToken).ConfigureAwait(false));
        }
        return new ScaleReport(s.Dimensions, s.Shards, s.Quantization.ToShortName(), source, s.Queries, s.K, s.M, s.EfConstruction,
            s.Concurrency, s.ImportBatch, s.ImportConcurrency, Environment.ProcessorCount, s.ExportDirectory, [.. runs]);
    }

    /// <summary>The ef a size is judged at: the smallest whose recall reaches <paramref name="target"/>, else the most exact one.</summary>
    public static ScaleEfResult Operating(ScaleRun run, double target)
    {
        foreach (ScaleEfResult result in run.Results.OrderBy(r => r.Ef))
        {
            if (result.Recall >= target)
            {
                return result;
            }
        }
        return run.Results.MaxBy(r => r.Recall)!;
    }

    /// <summary>
    /// hnswlib's memory per element for float32 (hnswalg.h): level-0 data (vector, 2M links and their count, label),
    /// the link-list pointer and level of each element, and upper layers of M links, reached by 1/(M−1) levels on average.
    /// </summary>
    public static double HnswlibFormula(int dimensions, int m) =>
        dimensions * 4.0 + (2 * m * 4 + 4) + 8 + 8 + 4 + (m * 4 + 4) / (double)(m - 1);

    private static async Task<ScaleRun> RunOneAsync(ScaleSettings s, int count, float[] baseSet, float[] queries, TextWriter output,
        CancellationToken cancellationToken)
    {
        string data = Path.Combine(s.WorkDirectory, $"scale-{count}");
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
        output.WriteLine($"N = {count:N0}: exact top-{s.K} of {s.Queries} queries …");
        int[][] truth = ExactNeighbors.TopK(baseSet, count, queries, s.Dimensions, s.K);
        if (s.ExportDirectory is not null)
        {
            WriteTruth(Path.Combine(s.ExportDirectory, $"truth-{count}.ivecs"), truth, s.K);
        }
        long rssBefore = SettledRss();
        await using InProcessCluster cluster = await OpenClusterAsync(s, data, s.Shards, cancellationToken).ConfigureAwait(false);
        var build = Stopwatch.StartNew();
        double ingestSeconds = await IngestAsync(s, cluster, baseSet, count, output, cancellationToken).ConfigureAwait(false);
        ClusterStatus status = await WaitIndexedAsync(cluster.Coordinator, count, cancellationToken).ConfigureAwait(false);
        double buildSeconds = build.Elapsed.TotalSeconds;
        long indexBytes = 0;
        foreach (ShardStatus shard in status.Shards)
        {
            indexBytes += shard.Replicas[0].Stats?.IndexBytes ?? 0;
        }
        long rssAfter = SettledRss();
        var results = new List<ScaleEfResult>();
        foreach (int ef in s.EfValues)
        {
            results.Add(await MeasureAsync(s, cluster.Coordinator, queries, truth, ef, cancellationToken).ConfigureAwait(false));
        }
        var run = new ScaleRun(count, ingestSeconds, count / ingestSeconds, buildSeconds, indexBytes, (double)indexBytes / count,
            (double)(rssAfter - rssBefore) / count, HnswlibFormula(s.Dimensions, s.M), [.. results]);
        Print(run, output);
        return run;
    }

    /// <summary>
    /// A fresh embedded silo of <paramref name="shards"/> shards shaped by the settings, taking precomputed vectors; silos
    /// open side by side in one process need distinct <paramref name="clusterId"/>s.
    /// </summary>
    internal static Task<InProcessCluster> OpenClusterAsync(ScaleSettings s, string data, int shards, CancellationToken cancellationToken,
        string clusterId = "dprcluster")
    {
        var overrides = new Dictionary<string, string?>
        {
            // Vectors come precomputed: no encoder, the index takes their dimension.
            ["Silo:Roles"] = "gateway,shard",
            ["Encoder:Dimension"] = s.Dimensions.ToString(CultureInfo.InvariantCulture),
            ["Shard:M"] = s.M.ToString(CultureInfo.InvariantCulture),
            ["Shard:EfConstruction"] = s.EfConstruction.ToString(CultureInfo.InvariantCulture),
            ["Shard:Quantization"] = s.Quantization.ToString(),
            ["Shard:RecallProbeIntervalMs"] = "0",
            ["Cluster:ClusterId"] = clusterId,
        };
        return InProcessCluster.OpenAsync(data, shards, "static", cancellationToken, overrides);
    }

    internal static async Task<double> IngestAsync(ScaleSettings s, InProcessCluster cluster, float[] baseSet, int count, TextWriter output,
        CancellationToken cancellationToken)
    {
        using var client = new ClusterClient(cluster.ApiUrl, timeout: TimeSpan.FromMinutes(5));
        int batches = (count + s.ImportBatch - 1) / s.ImportBatch;
        int next = -1;
        int done = 0;
        var progress = new ProgressLine("vectors", count);
        var clock = Stopwatch.StartNew();
        async Task Worker()
        {
            int batch;
            while ((batch = Interlocked.Increment(ref next)) < batches)
            {
                int first = batch * s.ImportBatch;
                int n = Math.Min(s.ImportBatch, count - first);
                var passages = new PassageBody[n];
                for (int i = 0; i < n; i++)
                {
                    int row = first + i;
                    passages[i] = new PassageBody
                    {
                        Id = RowId(row),
                        Text = "p",
                        Vector = baseSet.AsSpan(row * s.Dimensions, s.Dimensions).ToArray(),
                    };
                }
                await client.UpsertAsync(passages, cancellationToken).ConfigureAwait(false);
                int imported = Interlocked.Add(ref done, n);
                lock (progress)
                {
                    progress.Report(imported);
                }
            }
        }
        var workers = new Task[s.ImportConcurrency];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(Worker, cancellationToken);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        progress.Finish(count);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Polls until every shard's indexer has linked every acknowledged vector: the end of the build.</summary>
    internal static async Task<ClusterStatus> WaitIndexedAsync(ICoordinatorGrain coordinator, int count, CancellationToken cancellationToken)
    {
        var progress = new ProgressLine("indexed", count);
        while (true)
        {
            ClusterStatus status = await coordinator.GetClusterAsync(cancellationToken).ConfigureAwait(false);
            long unindexed = 0;
            foreach (ShardStatus shard in status.Shards)
            {
                unindexed += shard.Replicas[0].Stats?.Unindexed ?? 0;
            }
            if (unindexed == 0)
            {
                progress.Finish(count);
                return status;
            }
            progress.Report(count - unindexed);
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<ScaleEfResult> MeasureAsync(ScaleSettings s, ICoordinatorGrain coordinator, float[] queries, int[][] truth, int ef,
        CancellationToken cancellationToken)
    {
        SearchRequest[] requests = Requests(s, queries, truth.Length, ef);
        double recall = await RecallAsync(coordinator, requests, truth, s.K, cancellationToken).ConfigureAwait(false);
        (double qps, double p50, double p99) = await LoadTestAsync(s, coordinator, requests, cancellationToken).ConfigureAwait(false);
        return new ScaleEfResult(ef, recall, qps, p50, p99);
    }

    /// <summary>One dense search request per query vector, ids only, at beam width <paramref name="ef"/>.</summary>
    internal static SearchRequest[] Requests(ScaleSettings s, float[] queries, int count, int ef)
    {
        var requests = new SearchRequest[count];
        for (int q = 0; q < requests.Length; q++)
        {
            requests[q] = new SearchRequest("", s.K, SearchMode.Dense, ef, IncludeText: false,
                Vector: queries.AsSpan(q * s.Dimensions, s.Dimensions).ToArray());
        }
        return requests;
    }

    /// <summary>Recall@k of the requests, one at a time, against the exact top-k of each query.</summary>
    internal static async Task<double> RecallAsync(ICoordinatorGrain coordinator, SearchRequest[] requests, int[][] truth, int k,
        CancellationToken cancellationToken)
    {
        long matched = 0;
        for (int q = 0; q < requests.Length; q++)
        {
            SearchResponse answer = await coordinator.SearchAsync(requests[q], cancellationToken).ConfigureAwait(false);
            var expected = new HashSet<int>(truth[q]);
            foreach (PassageHit hit in answer.Hits)
            {
                if (expected.Contains(RowOf(hit.Id)))
                {
                    matched++;
                }
            }
        }
        return (double)matched / ((long)requests.Length * k);
    }

    /// <summary>Closed-loop load for the settings' seconds at their concurrency: QPS and latency percentiles.</summary>
    internal static async Task<(double Qps, double P50Ms, double P99Ms)> LoadTestAsync(ScaleSettings s, ICoordinatorGrain coordinator,
        SearchRequest[] requests, CancellationToken cancellationToken)
    {
        const int perWorker = 1_000_000;
        var latencies = new LatencyRecorder(s.Concurrency, perWorker);
        long end = Stopwatch.GetTimestamp() + (long)(s.SecondsPerEf * Stopwatch.Frequency);
        int cursor = 0;
        async Task Worker(int worker)
        {
            while (Stopwatch.GetTimestamp() < end && latencies.HasRoom(worker))
            {
                SearchRequest request = requests[(int)((uint)Interlocked.Increment(ref cursor) % (uint)requests.Length)];
                long start = Stopwatch.GetTimestamp();
                await coordinator.SearchAsync(request, cancellationToken).ConfigureAwait(false);
                latencies.Add(worker, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        var clock = Stopwatch.StartNew();
        var workers = new Task[s.Concurrency];
        for (int i = 0; i < workers.Length; i++)
        {
            int worker = i;
            workers[i] = Task.Run(() => Worker(worker), cancellationToken);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        double[] sorted = latencies.Sorted();
        return (sorted.Length / seconds, LatencyRecorder.Percentile(sorted, 50), LatencyRecorder.Percentile(sorted, 99));
    }

    internal static (float[] Base, float[] Queries, string Source) Load(ScaleSettings s, int count, TextWriter output)
    {
        if (s.VectorsPath is null)
        {
            int clusters = Math.Max(16, count / 1000);
            output.WriteLine($"generating {count:N0} clustered vectors ({clusters} clusters, seed {s.Seed}) …");
            return (ClusteredVectors.Generate(count, s.Dimensions, clusters, s.Seed, s.Seed + 1),
                ClusteredVectors.Generate(s.Queries, s.Dimensions, clusters, s.Seed, s.Seed + 2), $"clustered (seed {s.Seed})");
        }
        // The file's first N rows are the base set and the next rows the queries, held out of the index.
        using VectorRowReader reader = VectorRowReader.Open(s.VectorsPath);
        if (reader.Dimensions != s.Dimensions)
        {
            throw new InvalidDataException($"{s.VectorsPath} holds {reader.Dimensions}-d vectors; --dim is {s.Dimensions}.");
        }
        var baseSet = new float[(long)count * s.Dimensions];
        var queries = new float[s.Queries * s.Dimensions];
        for (int row = 0; row < count + s.Queries; row++)
        {
            float[] vector = reader.Next() ?? throw new InvalidDataException(
                $"{s.VectorsPath} has {row} rows; {count:N0} base rows and {s.Queries} queries need {count + s.Queries}.");
            vector.CopyTo(row < count ? baseSet.AsSpan(row * s.Dimensions) : queries.AsSpan((row - count) * s.Dimensions));
        }
        return (baseSet, queries, Path.GetFileName(s.VectorsPath));
    }

    private static void Export(string directory, float[] baseSet, int count, float[] queries, int dimensions)
    {
        Directory.CreateDirectory(directory);
        using (var file = File.Create(Path.Combine(directory, "base.fvecs")))
        {
            VectorFiles.Write<float>(file, dimensions, baseSet.AsSpan(0, count * dimensions));
        }
        using (var file = File.Create(Path.Combine(directory, "queries.fvecs")))
        {
            VectorFiles.Write<float>(file, dimensions, queries);
        }
    }

    private static void WriteTruth(string path, int[][] truth, int k)
    {
        var flat = new int[truth.Length * k];
        for (int q = 0; q < truth.Length; q++)
        {
            truth[q].CopyTo(flat.AsSpan(q * k));
        }
        using var file = File.Create(path);
        VectorFiles.Write<int>(file, k, flat);
    }

    /// <summary>
    /// Resident set after a full, compacting collection, once it stops falling: what the process holds, not garbage
    /// waiting, nor free GC regions the runtime returns to the OS over the following seconds.
    /// </summary>
    private static long SettledRss()
    {
        long rss = long.MaxValue;
        for (int round = 0; round < 20; round++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            long now = process.WorkingSet64;
            if (now > rss - (rss >> 7))
            {
                return Math.Min(now, rss);
            }
            rss = now;
            Thread.Sleep(500);
        }
        return rss;
    }

    private static string RowId(int row) => "v" + row.ToString(CultureInfo.InvariantCulture);

    private static int RowOf(string id) => int.Parse(id.AsSpan(1), CultureInfo.InvariantCulture);

    private static void Print(ScaleRun run, TextWriter output)
    {
        output.WriteLine($"N = {run.Count:N0}: import {run.IngestVectorsPerSecond:N0} vectors/s acknowledged ({run.IngestSeconds:F1} s), " +
            $"graph built {run.BuildSeconds:F1} s after the first write; " +
            $"index {run.IndexBytesPerVector:F0} B/vector ({run.IndexBytesPerVector / run.HnswlibFormulaBytesPerVector:F2}× hnswlib's formula " +
            $"{run.HnswlibFormulaBytesPerVector:F0}), RSS {run.RssBytesPerVector:F0} B/vector");
        output.WriteLine($"  {"ef",5} {"recall@k",9} {"QPS",9} {"p50 ms",8} {"p99 ms",8}");
        foreach (ScaleEfResult r in run.Results)
        {
            output.WriteLine($"  {r.Ef,5} {r.Recall,9:F4} {r.Qps,9:N0} {r.P50Ms,8:F3} {r.P99Ms,8:F3}");
        }
    }
}
