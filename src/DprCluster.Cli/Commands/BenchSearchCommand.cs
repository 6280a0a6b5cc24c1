using System.CommandLine;
using System.Diagnostics;
using System.Net;
using DprCluster.Cli.Cluster;
using DprCluster.Encoders.Batching;
using DprCluster.Encoders.Static;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster bench search</c>: closed-loop load (N concurrent clients, each sending its next search when the last
/// answered) against a running cluster on loopback (<c>--url</c>) and/or the same shard data searched in this process
/// (<c>--data</c>), side by side in one run: QPS and client-side p50/p95/p99, plus the coordinator's own time
/// (<c>took_ms</c>), whose difference between the two targets is the scatter/gather overhead of the calls between silos.
/// With <c>--baseline-data</c> (e.g. the same passages in one shard) it also reports each target's recall@k against
/// the baseline's answers to the same questions with the same ef, and with <c>--truth-corpus</c> every target's and the
/// baseline's recall@k against exact (brute-force) dense search. Bounded in time (≤ 600 s), concurrency (≤ 256) and
/// requests (≤ 1,000,000).
/// </summary>
internal static class BenchSearchCommand
{
    private const int MaxRequests = 1_000_000;

    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "Gateway URL on loopback (http://127.0.0.1:PORT)." };
        var data = new Option<string?>("--data") { Description = "Also search this data directory in-process (static encoder)." };
        var shards = new Option<int>("--shards") { Description = "Shards under --data.", DefaultValueFactory = _ => 4 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent clients.", DefaultValueFactory = _ => 1 };
        var duration = new Option<double>("--duration") { Description = "Measured seconds per target.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Unmeasured seconds before each target.", DefaultValueFactory = _ => 2 };
        var queries = new Option<string?>("--queries") { Description = "Questions: text file, queries JSONL or BEIR folder; default: sample questions." };
        var k = new Option<int>("--k") { Description = "Hits per search.", DefaultValueFactory = _ => 10 };
        var mode = new Option<string>("--mode") { Description = "dense, bm25 or hybrid.", DefaultValueFactory = _ => "dense" };
        mode.AcceptOnlyFromAmong("dense", "bm25", "hybrid");
        var ef = new Option<int?>("--ef") { Description = "HNSW beam width (default: the shards')." };
        var baseline = new Option<string?>("--baseline-data") { Description = "Report recall@k of every target against this data directory searched in-process." };
        var baselineShards = new Option<int>("--baseline-shards") { Description = "Shards under --baseline-data.", DefaultValueFactory = _ => 1 };
        var truth = new Option<string?>("--truth-corpus") { Description = "Corpus the data holds: report recall@k against exact dense search over it (static encoder)." };
        var command = new Command("search", "Load-test search: QPS and latency percentiles, REST cluster vs in-process.")
        {
            url, data, shards, concurrency, duration, warmup, queries, k, mode, ef, baseline, baselineShards, truth,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? target = parse.GetValue(url);
            string? dataDirectory = parse.GetValue(data);
            int clients = parse.GetValue(concurrency);
            double seconds = parse.GetValue(duration);
            double warm = parse.GetValue(warmup);
            if (target is null && dataDirectory is null)
            {
                Console.Error.WriteLine("error: give --url (a running cluster) and/or --data (in-process).");
                return 2;
            }
            if (clients is < 1 or > 256 || seconds is <= 0 or > 600 || warm is < 0 or > 60 || parse.GetValue(shards) is < 1 or > 256)
            {
                Console.Error.WriteLine("error: --concurrency in [1, 256], --duration in (0, 600], --warmup in [0, 60], --shards in [1, 256].");
                return 2;
            }
            Uri? gateway = null;
            if (target is not null && (!Uri.TryCreate(target, UriKind.Absolute, out gateway) || !IsLoopback(gateway)))
            {
                Console.Error.WriteLine($"error: --url '{target}' is not a loopback URL; this benchmark only loads the local machine.");
                return 2;
            }
            try
            {
                IReadOnlyList<string> questions = QuestionFiles.Read(parse.GetValue(queries));
                SearchMode searchMode = Enum.Parse<SearchMode>(parse.GetValue(mode)!, ignoreCase: true);
                var settings = new LoadSettings(questions, parse.GetValue(k), searchMode, parse.GetValue(ef), clients,
                    TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warm));
                if (parse.GetValue(truth) is not null && searchMode != SearchMode.Dense)
                {
                    Console.Error.WriteLine("error: --truth-corpus measures dense search; use --mode dense.");
                    return 2;
                }
                List<string>[]? exact = parse.GetValue(truth) is { } truthCorpus ? ExactDenseTruth.TopIds(truthCorpus, questions, settings.K) : null;
                List<string>[]? expected = null;
                string? baselineLine = null;
                if (parse.GetValue(baseline) is { } baselineDirectory)
                {
                    await using InProcessCluster reference = await OpenAsync(baselineDirectory, parse.GetValue(baselineShards)).ConfigureAwait(false);
                    expected = await TopIdsAsync(settings, InProcessSearch(reference), cancellationToken).ConfigureAwait(false);
                    baselineLine = $"baseline: in-process {parse.GetValue(baselineShards)} shard(s) at {baselineDirectory}" +
                        (exact is null ? "" : $", recall@{settings.K} vs exact {Recall(exact, expected):F4}");
                }
                var references = new RecallReferences(expected, exact);
                var rows = new List<LoadResult>();
                if (gateway is not null)
                {
                    using var client = new ClusterClient(gateway, timeout: TimeSpan.FromSeconds(30));
                    rows.Add(await RunAsync($"REST {gateway.Authority}", settings, references, (request, token) => client.SearchAsync(new SearchBody
                    {
                        Query = request.Query, K = request.K, Mode = parse.GetValue(mode), Ef = request.Ef,
                    }, token), cancellationToken).ConfigureAwait(false));
                }
                if (dataDirectory is not null)
                {
                    await using InProcessCluster cluster = await OpenAsync(dataDirectory, parse.GetValue(shards)).ConfigureAwait(false);
                    rows.Add(await RunAsync($"in-process {parse.GetValue(shards)} shards", settings, references, InProcessSearch(cluster),
                        cancellationToken).ConfigureAwait(false));
                }
                Print(settings, rows, references, baselineLine);
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ClusterApiException or HttpRequestException
                or UnauthorizedAccessException or ClusterException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed record LoadSettings(IReadOnlyList<string> Questions, int K, SearchMode Mode, int? Ef, int Concurrency,
        TimeSpan Duration, TimeSpan Warmup);

    private sealed record LoadResult(string Target, long Requests, long Errors, double Seconds, double[] Latencies, double[] ServerTimes,
        string? FirstError, double RecallVsBaseline, double RecallVsExact);

    /// <summary>What recall is measured against: the baseline's answers and/or exact search (each optional).</summary>
    private sealed record RecallReferences(List<string>[]? Baseline, List<string>[]? Exact);

    private static Task<InProcessCluster> OpenAsync(string dataDirectory, int shards) => InProcessCluster.OpenAsync(dataDirectory, shards, "static");

    /// <summary>Searches through the in-process coordinator, answering in the REST body so both sides are measured alike.</summary>
    private static Func<SearchRequest, CancellationToken, Task<SearchResponseBody>> InProcessSearch(InProcessCluster cluster) =>
        async (request, token) => ApiBodies.From(await cluster.Coordinator.SearchAsync(request, token).ConfigureAwait(false));

    private static SearchRequest[] Requests(LoadSettings settings)
    {
        var requests = new SearchRequest[settings.Questions.Count];
        for (int i = 0; i < requests.Length; i++)
        {
            requests[i] = new SearchRequest(settings.Questions[i], settings.K, settings.Mode, settings.Ef);
        }
        return requests;
    }

    /// <summary>The ids each question retrieves, one question at a time.</summary>
    private static async Task<List<string>[]> TopIdsAsync(LoadSettings settings,
        Func<SearchRequest, CancellationToken, Task<SearchResponseBody>> search, CancellationToken cancellationToken)
    {
        SearchRequest[] requests = Requests(settings);
        var ids = new List<string>[requests.Length];
        for (int i = 0; i < requests.Length; i++)
        {
            SearchResponseBody response = await search(requests[i], cancellationToken).ConfigureAwait(false);
            ids[i] = [.. response.Hits.Select(h => h.Id)];
        }
        return ids;
    }

    /// <summary>Mean over questions of |found ∩ expected| / |expected| (questions whose baseline found nothing are skipped).</summary>
    private static double Recall(List<string>[] expected, List<string>[] found)
    {
        double sum = 0;
        int counted = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i].Count == 0)
            {
                continue;
            }
            sum += (double)found[i].Intersect(expected[i], StringComparer.Ordinal).Count() / expected[i].Count;
            counted++;
        }
        return counted == 0 ? double.NaN : sum / counted;
    }

    private static async Task<LoadResult> RunAsync(string target, LoadSettings settings, RecallReferences references,
        Func<SearchRequest, CancellationToken, Task<SearchResponseBody>> search, CancellationToken cancellationToken)
    {
        SearchRequest[] requests = Requests(settings);
        List<string>[]? found = references.Baseline is null && references.Exact is null
            ? null
            : await TopIdsAsync(settings, search, cancellationToken).ConfigureAwait(false);
        double recallVsBaseline = references.Baseline is null ? double.NaN : Recall(references.Baseline, found!);
        double recallVsExact = references.Exact is null ? double.NaN : Recall(references.Exact, found!);
        if (settings.Warmup > TimeSpan.Zero)
        {
            await LoadAsync(requests, settings, settings.Warmup, search, null, null, cancellationToken).ConfigureAwait(false);
        }
        int perWorker = MaxRequests / settings.Concurrency;
        var latencies = new LatencyRecorder(settings.Concurrency, perWorker);
        var server = new LatencyRecorder(settings.Concurrency, perWorker);
        var clock = Stopwatch.StartNew();
        (long errors, string? firstError) = await LoadAsync(requests, settings, settings.Duration, search, latencies, server, cancellationToken)
            .ConfigureAwait(false);
        double elapsed = clock.Elapsed.TotalSeconds;
        double[] sorted = latencies.Sorted();
        return new LoadResult(target, sorted.Length + errors, errors, elapsed, sorted, server.Sorted(), firstError, recallVsBaseline, recallVsExact);
    }

    private static async Task<(long Errors, string? FirstError)> LoadAsync(SearchRequest[] requests, LoadSettings settings, TimeSpan duration,
        Func<SearchRequest, CancellationToken, Task<SearchResponseBody>> search, LatencyRecorder? latencies, LatencyRecorder? server,
        CancellationToken cancellationToken)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long errors = 0;
        string? firstError = null;
        int next = 0;
        async Task Worker(int worker)
        {
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested && (latencies?.HasRoom(worker) ?? true))
            {
                SearchRequest request = requests[(int)((uint)Interlocked.Increment(ref next) % (uint)requests.Length)];
                long start = Stopwatch.GetTimestamp();
                try
                {
                    double took = (await search(request, cancellationToken).ConfigureAwait(false)).TookMs;
                    latencies?.Add(worker, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    server?.Add(worker, took);
                }
                catch (Exception e) when (e is ClusterApiException or HttpRequestException or ClusterException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
            }
        }
        var workers = new Task[settings.Concurrency];
        for (int i = 0; i < workers.Length; i++)
        {
            int worker = i;
            workers[i] = Task.Run(() => Worker(worker), CancellationToken.None);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        return (errors, firstError);
    }

    private static void Print(LoadSettings settings, List<LoadResult> rows, RecallReferences references, string? baselineLine)
    {
        Console.WriteLine($"search load: {settings.Questions.Count} questions, mode {settings.Mode.ToString().ToLowerInvariant()}, k {settings.K}, " +
            $"ef {(settings.Ef?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default")}, concurrency {settings.Concurrency}, " +
            $"{settings.Duration.TotalSeconds:F0} s per target after {settings.Warmup.TotalSeconds:F0} s warm-up");
        if (baselineLine is not null)
        {
            Console.WriteLine(baselineLine);
        }
        string recall = "recall@" + settings.K.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"{"target",-28} {"requests",9} {"errors",7} {"QPS",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"took p50",9} {"took p99",9}" +
            (references.Baseline is null ? "" : $" {recall + " vs base",17}") + (references.Exact is null ? "" : $" {recall + " vs exact",18}"));
        foreach (LoadResult row in rows)
        {
            Console.WriteLine($"{row.Target,-28} {row.Requests,9:N0} {row.Errors,7:N0} {(row.Requests - row.Errors) / row.Seconds,9:F1} " +
                $"{LatencyRecorder.Percentile(row.Latencies, 50),8:F3} {LatencyRecorder.Percentile(row.Latencies, 95),8:F3} " +
                $"{LatencyRecorder.Percentile(row.Latencies, 99),8:F3} {LatencyRecorder.Percentile(row.ServerTimes, 50),9:F3} " +
                $"{LatencyRecorder.Percentile(row.ServerTimes, 99),9:F3}" +
                (references.Baseline is null ? "" : $" {row.RecallVsBaseline,17:F4}") + (references.Exact is null ? "" : $" {row.RecallVsExact,18:F4}"));
            if (row.FirstError is not null)
            {
                Console.WriteLine($"  first error: {row.FirstError}");
            }
        }
        if (rows.Count == 2)
        {
            double client = LatencyRecorder.Percentile(rows[0].Latencies, 50) - LatencyRecorder.Percentile(rows[1].Latencies, 50);
            double took = LatencyRecorder.Percentile(rows[0].ServerTimes, 50) - LatencyRecorder.Percentile(rows[1].ServerTimes, 50);
            Console.WriteLine($"overhead p50 vs in-process: coordinator took_ms {took:F3} ms (calls between silos); client-side {client:F3} ms (those calls + REST/JSON)");
        }
        Console.WriteLine("p50/p95/p99: client-side latency per request; took: the coordinator's own time for the search" +
            (references.Baseline is null && references.Exact is null ? "." : "; recall: share of the reference's hits found, averaged over questions."));
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
}
