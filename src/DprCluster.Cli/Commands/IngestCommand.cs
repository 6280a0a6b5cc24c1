using System.CommandLine;
using DprCluster.Cli.Cluster;
using DprCluster.Index.Storage;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster ingest PATH --url URL</c>: uploads a JSONL corpus (<c>{id, title, text}</c>) or a BEIR folder through
/// the REST API, with a progress bar (passages/s and ETA) and a final check that the cluster holds at least as many
/// passages as distinct ids were sent. Batches are sized to the encoder's measured rate (<see cref="IngestBatchSizer"/>)
/// and cut from length-sorted windows, so the server pads little; a refused or timed-out batch is resent smaller,
/// and the server skips passages it already stored unchanged, so no encoding is repeated. With <c>--vectors FILE</c>
/// (<c>.fvecs</c> or <c>.npy</c>, row i for passage i) the precomputed vectors travel with the passages and the encoder
/// is not called; a rerun resumes, as what is stored is skipped. Any failure exits non-zero with a message.
/// </summary>
internal static class IngestCommand
{
    private const int MaxAttempts = 8;
    private const int Window = 4096;

    /// <summary>Most UTF-16 characters of passages in one request: far below the server's default 16 MiB body limit.</summary>
    private const long MaxBatchChars = 2L << 20;

    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "JSONL file or BEIR folder (its corpus.jsonl)." };
        var url = new Option<string>("--url") { Description = "Gateway URL.", Required = true };
        var batch = new Option<int?>("--batch") { Description = "Passages per request (default: sized to the encoder's measured rate)." };
        var maxBatch = new Option<int>("--max-batch") { Description = "Largest adaptive batch.", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight.", DefaultValueFactory = _ => 2 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for one request.", DefaultValueFactory = _ => 300 };
        var apiKey = new Option<string?>("--api-key") { Description = "Write key (default: DPRCLUSTER_API_KEY)." };
        var vectors = new Option<string?>("--vectors")
        {
            Description = "Precomputed passage vectors (.fvecs or .npy float32), row i for the i-th passage of PATH; the encoder is not called.",
        };
        var command = new Command("ingest", "Upload passages to a running cluster through the REST API.")
        {
            path, url, batch, maxBatch, concurrency, timeout, apiKey, vectors,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int? fixedBatch = parse.GetValue(batch);
            int largest = parse.GetValue(maxBatch);
            int inFlight = parse.GetValue(concurrency);
            double seconds = parse.GetValue(timeout);
            if (fixedBatch is < 1 or > 10_000 || largest is < 1 or > 10_000 || inFlight is < 1 or > 64 || seconds <= 0)
            {
                Console.Error.WriteLine("error: --batch and --max-batch must be in [1, 10000], --concurrency in [1, 64], --timeout above 0.");
                return 2;
            }
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out Uri? gateway))
            {
                Console.Error.WriteLine($"error: --url '{parse.GetValue(url)}' is not an absolute URL.");
                return 2;
            }
            string? key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("DPRCLUSTER_API_KEY");
            try
            {
                var sizer = new IngestBatchSizer(largest, fixedBatch);
                using VectorRowReader? rows = parse.GetValue(vectors) is { } file ? VectorRowReader.Open(file) : null;
                return await RunAsync(parse.GetValue(path)!, rows, gateway, key, sizer, inFlight, TimeSpan.FromSeconds(seconds),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine();
                Console.Error.WriteLine($"error: {Describe(e)}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>One request's outcome: its passages, and the answer or the failure that sends them again.</summary>
    private sealed record Sent(List<PassageBody> Passages, int Attempt, UpsertResponseBody? Response, Exception? Retryable);

    private static async Task<int> RunAsync(string path, VectorRowReader? vectors, Uri gateway, string? apiKey, IngestBatchSizer sizer,
        int inFlight, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new ClusterClient(gateway, apiKey, timeout);
        long total = CountLines(Directory.Exists(path) ? Path.Combine(path, "corpus.jsonl") : path);
        var progress = new ProgressLine("passages", total);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using IEnumerator<CorpusDocument> source = CorpusFiles.ReadPassages(path).GetEnumerator();
        var queue = new Queue<PassageBody>();
        var resend = new Queue<(List<PassageBody> Passages, int Attempt)>();
        var running = new List<Task<Sent>>(inFlight);
        long done = 0;
        long encoded = 0;
        long unchanged = 0;
        bool exhausted = false;
        while (true)
        {
            while (running.Count < inFlight)
            {
                if (resend.Count > 0)
                {
                    (List<PassageBody> again, int attempt) = resend.Dequeue();
                    running.Add(SendAsync(client, again, attempt, cancellationToken));
                    continue;
                }
                if (queue.Count == 0 && !exhausted)
                {
                    bool repeats;
                    (exhausted, repeats) = FillWindow(source, vectors, queue, ids);
                    if (repeats && running.Count > 0)
                    {
                        // A new version of an id sent before: let the old one land first, so the last version wins.
                        await Task.WhenAll(running).ConfigureAwait(false);
                    }
                }
                if (queue.Count == 0)
                {
                    break;
                }
                var next = new List<PassageBody>(Math.Min(sizer.Size, queue.Count));
                long chars = 0;
                while (next.Count < sizer.Size && queue.Count > 0)
                {
                    long size = Chars(queue.Peek());
                    if (next.Count > 0 && chars + size > MaxBatchChars)
                    {
                        break;
                    }
                    chars += size;
                    next.Add(queue.Dequeue());
                }
                running.Add(SendAsync(client, next, 1, cancellationToken));
            }
            if (running.Count == 0)
            {
                break;
            }
            Task<Sent> finished = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(finished);
            Sent sent = await finished.ConfigureAwait(false);
            if (sent.Response is { } response)
            {
                done += response.Upserted;
                encoded += response.Encoded;
                unchanged += response.Unchanged;
                sizer.Completed(response.Encoded, response.Unchanged, response.EncodeMs);
                progress.Report(done);
                continue;
            }
            if (sent.Attempt >= MaxAttempts)
            {
                throw new IOException($"a batch of {sent.Passages.Count} passages failed {MaxAttempts} times; last: {Describe(sent.Retryable!)}",
                    sent.Retryable);
            }
            sizer.Overloaded();
            // Resent in pieces of the new size; what the server stored meanwhile is found unchanged and not encoded again.
            for (int start = 0; start < sent.Passages.Count; start += sizer.Size)
            {
                resend.Enqueue((sent.Passages.GetRange(start, Math.Min(sizer.Size, sent.Passages.Count - start)), sent.Attempt + 1));
            }
        }
        progress.Finish(done);
        if (vectors?.Next() is not null)
        {
            throw new InvalidDataException("the vector file has more rows than the corpus has passages");
        }
        double seconds = progress.Elapsed.TotalSeconds;
        Console.WriteLine($"ingested {done:N0} passages ({ids.Count:N0} distinct ids; {encoded:N0} encoded, {unchanged:N0} already stored) " +
            $"in {seconds:F1} s: {done / Math.Max(seconds, 1e-9):N1} passages/s");

        ClusterBody cluster = await client.GetClusterAsync(cancellationToken).ConfigureAwait(false);
        long stored = StoredPassages(cluster);
        Console.WriteLine($"count check: the cluster holds {stored:N0} passages over {cluster.ShardCount} shards");
        if (stored < ids.Count)
        {
            Console.Error.WriteLine($"error: count check failed: {ids.Count:N0} distinct ids were acknowledged but only {stored:N0} passages are stored.");
            return 1;
        }
        return 0;
    }

    /// <summary>A passage's share of a request body in characters (a vector value takes about 12 in JSON).</summary>
    private static long Chars(PassageBody passage) =>
        (passage.Id?.Length ?? 0) + (passage.Title?.Length ?? 0) + (passage.Text?.Length ?? 0) + 12L * (passage.Vector?.Length ?? 0);

    /// <summary>
    /// Reads up to <see cref="Window"/> passages, keeps the last version of an id repeated within them, and queues them
    /// shortest first so each request holds passages of similar length. Returns whether the source is exhausted and
    /// whether the window repeats an id an earlier window sent.
    /// </summary>
    private static (bool Exhausted, bool Repeats) FillWindow(IEnumerator<CorpusDocument> source, VectorRowReader? vectors,
        Queue<PassageBody> queue, HashSet<string> ids)
    {
        var window = new Dictionary<string, PassageBody>(StringComparer.Ordinal);
        bool more = true;
        bool repeats = false;
        while (window.Count < Window && (more = source.MoveNext()))
        {
            CorpusDocument document = source.Current;
            repeats |= !window.ContainsKey(document.Id) && ids.Contains(document.Id);
            float[]? vector = vectors is null ? null
                : vectors.Next() ?? throw new InvalidDataException($"the vector file ends before passage '{document.Id}'");
            window[document.Id] = new PassageBody { Id = document.Id, Title = document.Title, Text = document.Text, Vector = vector };
            ids.Add(document.Id);
        }
        var sorted = new List<PassageBody>(window.Values);
        sorted.Sort((a, b) => (a.Title?.Length ?? 0) + (a.Text?.Length ?? 0) - ((b.Title?.Length ?? 0) + (b.Text?.Length ?? 0)));
        foreach (PassageBody passage in sorted)
        {
            queue.Enqueue(passage);
        }
        return (!more, repeats);
    }

    private static async Task<Sent> SendAsync(ClusterClient client, List<PassageBody> passages, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            return new Sent(passages, attempt, await client.UpsertAsync(passages, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (IsRetryable(e, cancellationToken))
        {
            // Overloaded, a deadline, or a replica restarting: back off; upserts are idempotent.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * attempt * attempt)), cancellationToken).ConfigureAwait(false);
            return new Sent(passages, attempt, null, e);
        }
    }

    private static bool IsRetryable(Exception e, CancellationToken cancellationToken) => e switch
    {
        // 413: the batch is larger than the server takes; it is resent in smaller pieces.
        ClusterApiException api => api.Status is 413 or 429 or 503 or 504,
        TaskCanceledException => !cancellationToken.IsCancellationRequested, // the client's own --timeout
        HttpRequestException => true,
        _ => false,
    };

    private static string Describe(Exception e) => e switch
    {
        TaskCanceledException => "the server did not answer within --timeout",
        _ => e.Message,
    };

    /// <summary>Passages of each shard as its first reachable, serving replica reports them.</summary>
    internal static long StoredPassages(ClusterBody cluster)
    {
        long stored = 0;
        foreach (ShardBody shard in cluster.Shards)
        {
            foreach (ReplicaBody replica in shard.Replicas)
            {
                if (replica.Stats is { State: ShardState.Serving or ShardState.ReadOnly } stats)
                {
                    stored += stats.Passages;
                    break;
                }
            }
        }
        return stored;
    }

    private static long CountLines(string file)
    {
        long lines = 0;
        using var reader = new StreamReader(file);
        while (reader.ReadLine() is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                lines++;
            }
        }
        return lines;
    }
}
