using System.Diagnostics;
using System.Text.Json;
using DprCluster.Index;
using DprCluster.Index.Hnsw;
using DprCluster.Index.Quantization;
using DprCluster.Index.Storage;
using DprCluster.Index.Vectors;

namespace DprCluster.Cli.Benchmarks;

/// <summary>Settings of one <c>bench ann</c> run.</summary>
internal sealed record AnnBenchmarkSettings(
    string BasePath,
    string QueriesPath,
    string GroundTruthPath,
    Metric Metric,
    int M,
    int EfConstruction,
    int[] EfValues,
    int K,
    int SearchThreads,
    int BuildThreads,
    int BaseLimit,
    int QueryLimit,
    string? JsonPath,
    VectorQuantization Quantization = VectorQuantization.None);

/// <summary>One row of the table: one ef.</summary>
internal sealed record AnnEfResult(int Ef, double Recall, double Qps, double MeanMicroseconds, double P99Microseconds);

/// <summary>Everything a run measured, as written to <c>--json</c>.</summary>
internal sealed record AnnBenchmarkReport(
    string Engine,
    int BaseRows,
    int Queries,
    int Dimensions,
    string Metric,
    int M,
    int EfConstruction,
    int K,
    int SearchThreads,
    int BuildThreads,
    double BuildSeconds,
    double BuildCpuSeconds,
    double BuildVectorsPerSecond,
    long IndexBytes,
    long VectorAndLinkBytes,
    AnnEfResult[] Results,
    string Quantization = "none");

/// <summary>Builds an <see cref="HnswIndex"/> over a benchmark set and sweeps ef: recall@k, QPS and latency.</summary>
internal static class AnnBenchmark
{
    public static AnnBenchmarkReport Run(AnnBenchmarkSettings s, TextWriter output)
    {
        VectorFile<float> baseSet = VectorFiles.ReadFloats(s.BasePath, s.BaseLimit);
        VectorFile<float> queries = VectorFiles.ReadFloats(s.QueriesPath, s.QueryLimit);
        VectorFile<int> truth = VectorFiles.ReadInts(s.GroundTruthPath, s.QueryLimit);
        if (baseSet.Dimensions != queries.Dimensions)
        {
            throw new InvalidDataException($"Base vectors have {baseSet.Dimensions} dimensions, queries {queries.Dimensions}.");
        }
        if (truth.Rows < queries.Rows || truth.Dimensions < s.K)
        {
            throw new InvalidDataException($"Ground truth has {truth.Rows} rows of {truth.Dimensions}; need {queries.Rows} rows of at least k={s.K}.");
        }
        output.WriteLine($"base {baseSet.Rows} × {baseSet.Dimensions}, queries {queries.Rows}, metric {s.Metric.ToShortName()}, quantization {s.Quantization.ToShortName()}, " +
                         $"M={s.M}, efConstruction={s.EfConstruction}, k={s.K}, build threads {s.BuildThreads}, search threads {s.SearchThreads}");

        // SQ8 keeps its originals in a scratch file (unlinked at once), as a shard does: the index's RAM is codes and links.
        string? originals = s.Quantization == VectorQuantization.Sq8 ? Path.GetTempPath() : null;
        var index = new HnswIndex(new HnswOptions(baseSet.Dimensions, s.Metric, s.M, s.EfConstruction, Quantization: s.Quantization), originals);
        var ids = new long[baseSet.Rows];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = i;
        }
        long start = Stopwatch.GetTimestamp();
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        index.AddRange(ids, baseSet.Data, s.BuildThreads);
        double buildSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        // CPU time as well as wall time: on a shared machine it is the steadier measure of the work done.
        double buildCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        long linkBytes = (long)index.SlotCount * (2 * s.M + 2) * sizeof(int);
        long vectorAndLinkBytes = (long)index.SlotCount * baseSet.Dimensions * sizeof(float) + linkBytes;

        output.WriteLine($"build {buildSeconds:F2} s ({buildCpuSeconds:F2} CPU s), {baseSet.Rows / buildSeconds:F0} vectors/s, index {index.MemoryBytes / 1048576.0:F1} MiB " +
                         $"(vectors + level-0 links {vectorAndLinkBytes / 1048576.0:F1} MiB)");
        output.WriteLine();
        output.WriteLine($"{"ef",6} {"recall@" + s.K,10} {"QPS",10} {"mean µs",10} {"p99 µs",10}");

        var results = new List<AnnEfResult>();
        foreach (int ef in s.EfValues)
        {
            AnnEfResult row = Sweep(index, queries, truth, s.K, ef, s.SearchThreads);
            results.Add(row);
            output.WriteLine($"{row.Ef,6} {row.Recall,10:F4} {row.Qps,10:F0} {row.MeanMicroseconds,10:F1} {row.P99Microseconds,10:F1}");
        }

        var report = new AnnBenchmarkReport("dprcluster", baseSet.Rows, queries.Rows, baseSet.Dimensions, s.Metric.ToShortName(),
            s.M, s.EfConstruction, s.K, s.SearchThreads, s.BuildThreads, buildSeconds, buildCpuSeconds, baseSet.Rows / buildSeconds,
            index.MemoryBytes, vectorAndLinkBytes, results.ToArray(), s.Quantization.ToShortName());
        if (s.JsonPath is not null)
        {
            File.WriteAllText(s.JsonPath, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        }
        return report;
    }

    private static AnnEfResult Sweep(HnswIndex index, VectorFile<float> queries, VectorFile<int> truth, int k, int ef, int threads)
    {
        int n = queries.Rows;
        var latencies = new long[n];
        var hits = new SearchHit[n * k];
        var found = new int[n];
        // Warm-up: JIT tiering and the context pool settle before the timed pass.
        for (int i = 0; i < Math.Min(n, 200); i++)
        {
            index.Search(queries.Row(i), k, ef, hits.AsSpan(i * k, k));
        }

        // Passes repeat until a second has gone by: one pass over a few hundred queries is too short to time.
        long wallStart = Stopwatch.GetTimestamp();
        int passes = 0;
        do
        {
            if (threads <= 1)
            {
                SearchRange(index, queries, k, ef, 0, n, hits, found, latencies);
            }
            else
            {
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                    SearchRange(index, queries, k, ef, (int)((long)n * t / threads), (int)((long)n * (t + 1) / threads), hits, found, latencies));
            }
            passes++;
        }
        while (Stopwatch.GetElapsedTime(wallStart).TotalSeconds < 1.0);
        double wallSeconds = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;

        long matched = 0;
        for (int q = 0; q < n; q++)
        {
            ReadOnlySpan<int> expected = truth.Row(q)[..k];
            for (int i = 0; i < found[q]; i++)
            {
                if (expected.Contains((int)hits[q * k + i].Id))
                {
                    matched++;
                }
            }
        }
        Array.Sort(latencies);
        double tickToMicro = 1e6 / Stopwatch.Frequency;
        double mean = 0;
        foreach (long l in latencies)
        {
            mean += l;
        }
        return new AnnEfResult(ef, (double)matched / ((long)n * k), (double)n * passes / wallSeconds, mean / n * tickToMicro,
            latencies[Math.Min(n - 1, (int)(n * 0.99))] * tickToMicro);
    }

    private static void SearchRange(HnswIndex index, VectorFile<float> queries, int k, int ef, int from, int to,
        SearchHit[] hits, int[] found, long[] latencies)
    {
        for (int q = from; q < to; q++)
        {
            long t0 = Stopwatch.GetTimestamp();
            found[q] = index.Search(queries.Row(q), k, ef, hits.AsSpan(q * k, k));
            latencies[q] = Stopwatch.GetTimestamp() - t0;
        }
    }
}
