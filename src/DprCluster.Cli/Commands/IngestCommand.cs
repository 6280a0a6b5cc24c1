using System.CommandLine;
using DprCluster.Cli.Cluster;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster ingest PATH --url URL</c>: uploads a JSONL corpus (<c>{id, title, text}</c>) or a BEIR folder through
/// the REST API in concurrent batches, with a progress bar, passages/s, and a final check that the cluster holds at
/// least as many passages as distinct ids were sent.
/// </summary>
internal static class IngestCommand
{
    private const int MaxAttempts = 5;

    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "JSONL file or BEIR folder (its corpus.jsonl)." };
        var url = new Option<string>("--url") { Description = "Gateway URL.", Required = true };
        var batch = new Option<int>("--batch") { Description = "Passages per request.", DefaultValueFactory = _ => 256 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight.", DefaultValueFactory = _ => 4 };
        var apiKey = new Option<string?>("--api-key") { Description = "Write key (default: DPRCLUSTER_API_KEY)." };
        var command = new Command("ingest", "Upload passages to a running cluster through the REST API.")
        {
            path, url, batch, concurrency, apiKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int batchSize = parse.GetValue(batch);
            int inFlight = parse.GetValue(concurrency);
            if (batchSize is < 1 or > 10_000 || inFlight is < 1 or > 64)
            {
                Console.Error.WriteLine("error: --batch must be in [1, 10000] and --concurrency in [1, 64].");
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
                return await RunAsync(parse.GetValue(path)!, gateway, key, batchSize, inFlight, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or CorpusFormatException or UnauthorizedAccessException
                or ClusterApiException or HttpRequestException)
            {
                Console.Error.WriteLine();
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string path, Uri gateway, string? apiKey, int batchSize, int inFlight,
        CancellationToken cancellationToken)
    {
        using var client = new ClusterClient(gateway, apiKey);
        long total = CountLines(Directory.Exists(path) ? Path.Combine(path, "corpus.jsonl") : path);
        var progress = new ProgressLine("passages", total);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var running = new List<Task<int>>(inFlight);
        long done = 0;
        var batch = new List<PassageBody>(batchSize);
        var inBatch = new HashSet<string>(StringComparer.Ordinal);

        async Task DrainOneAsync()
        {
            Task<int> finished = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(finished);
            done += await finished.ConfigureAwait(false);
            progress.Report(done);
        }

        async Task SendAsync()
        {
            if (running.Count == inFlight)
            {
                await DrainOneAsync().ConfigureAwait(false);
            }
            running.Add(UpsertWithRetryAsync(client, [.. batch], cancellationToken));
            batch.Clear();
            inBatch.Clear();
        }

        foreach (CorpusDocument document in CorpusFiles.ReadPassages(path))
        {
            // A batch must not repeat an id; a repeat starts the next batch so the later version wins.
            if (batch.Count == batchSize || !inBatch.Add(document.Id))
            {
                await SendAsync().ConfigureAwait(false);
                inBatch.Add(document.Id);
            }
            batch.Add(new PassageBody { Id = document.Id, Title = document.Title, Text = document.Text });
            ids.Add(document.Id);
        }
        if (batch.Count > 0)
        {
            await SendAsync().ConfigureAwait(false);
        }
        while (running.Count > 0)
        {
            await DrainOneAsync().ConfigureAwait(false);
        }
        progress.Finish(done);
        double seconds = progress.Elapsed.TotalSeconds;
        Console.WriteLine($"ingested {done:N0} passages ({ids.Count:N0} distinct ids) in {seconds:F2} s: {done / Math.Max(seconds, 1e-9):N0} passages/s");

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

    private static async Task<int> UpsertWithRetryAsync(ClusterClient client, PassageBody[] passages, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return (await client.UpsertAsync(passages, cancellationToken).ConfigureAwait(false)).Upserted;
            }
            catch (ClusterApiException e) when (attempt < MaxAttempts && e.Status is 429 or 503 or 504)
            {
                // Overloaded or a replica restarting: back off and resend (upserts are idempotent).
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Passages of each shard as its first reachable, serving replica reports them.</summary>
    internal static long StoredPassages(ClusterBody cluster)
    {
        long stored = 0;
        foreach (ShardBody shard in cluster.Shards)
        {
            foreach (ReplicaBody replica in shard.Replicas)
            {
                if (replica.Stats is { State: ShardState.Serving } stats)
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
