using DprCluster.Encoders.Pretrained;
using System.CommandLine;
using System.Diagnostics;
using DprCluster.Cli.Cluster;
using DprCluster.Abstractions;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster demo</c>: a 4-shard cluster in this process on the embedded default encoder (all-MiniLM-L6-v2), data under ./data. Ingests
/// the built-in sample corpus (or <c>--corpus</c>: JSONL or a BEIR folder), runs sample questions and prints the ranked
/// passages with scores and stage timings. A second run recovers the shards from ./data and ingests only what is missing.
/// </summary>
internal static class DemoCommand
{
    private const int IngestBatch = 512;
    private const int JudgedDepth = 10;

    public static Command Create()
    {
        var corpus = new Option<string?>("--corpus") { Description = "JSONL file ({id, title, text}) or BEIR folder; default: the built-in sample corpus." };
        var data = new Option<string>("--data") { Description = "Data directory.", DefaultValueFactory = _ => "./data" };
        var shards = new Option<int>("--shards") { Description = "Shards of the index (fixed once data exists).", DefaultValueFactory = _ => 4 };
        var k = new Option<int>("--k") { Description = "Passages shown per question.", DefaultValueFactory = _ => 3 };
        var mode = new Option<string>("--mode") { Description = "dense, bm25 or hybrid.", DefaultValueFactory = _ => "dense" };
        mode.AcceptOnlyFromAmong("dense", "bm25", "hybrid");
        var encoder = new Option<string>("--encoder")
        {
            Description = "all-minilm-l6-v2 (the default), arctic-embed-xs, static or a model directory; the data directory holds one model's vectors.",
            DefaultValueFactory = _ => PretrainedModels.Default.Name,
        };
        var questions = new Option<string[]>("--question", "-q") { Description = "A question to ask (repeatable); default: sample questions." };
        var command = new Command("demo", "Run an in-process 4-shard cluster: ingest a corpus, ask questions, show ranked passages.")
        {
            corpus, data, shards, k, mode, encoder, questions,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(shards) is < 1 or > 256 || parse.GetValue(k) is < 1 or > 100)
            {
                Console.Error.WriteLine("error: --shards must be in [1, 256] and --k in [1, 100].");
                return 2;
            }
            try
            {
                return await RunAsync(parse.GetValue(corpus), parse.GetValue(data)!, parse.GetValue(shards), parse.GetValue(encoder)!, parse.GetValue(k),
                    Enum.Parse<SearchMode>(parse.GetValue(mode)!, ignoreCase: true), parse.GetValue(questions) ?? [],
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or CorpusFormatException or UnauthorizedAccessException
                or ClusterException or Silo.Configuration.ClusterConfigurationException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string? corpusPath, string dataDirectory, int shardCount, string encoder, int k, SearchMode mode,
        string[] askedQuestions, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"DprCluster demo: {shardCount} shards in one Orleans silo with every role, encoder {encoder}, " +
            $"data in {Path.GetFullPath(dataDirectory)}");
        await using InProcessCluster cluster = await InProcessCluster.OpenAsync(dataDirectory, shardCount, encoder, cancellationToken)
            .ConfigureAwait(false);
        int recovered = await cluster.CountPassagesAsync().ConfigureAwait(false);
        Console.WriteLine($"  silo started (REST API {cluster.ApiUrl}) and recovered {recovered:N0} passages from the data directory " +
            $"in {clock.Elapsed.TotalSeconds:F2} s");

        IReadOnlyList<CorpusDocument> documents = corpusPath is null
            ? SampleCorpus.Passages()
            : [.. CorpusFiles.ReadPassages(corpusPath)];
        await IngestMissingAsync(cluster.Coordinator, documents, cancellationToken).ConfigureAwait(false);

        IReadOnlyList<SampleQuestion> questions = askedQuestions.Length > 0 ? [.. askedQuestions.Select(q => new SampleQuestion(q, null))]
            : corpusPath is null ? SampleCorpus.JudgedQuestions()
            : [.. CorpusFiles.ReadQuestions(corpusPath, 5).Select(q => new SampleQuestion(q, null))];
        // One unprinted search first, so the printed stage timings are steady-state rather than the JIT's first call.
        await cluster.Coordinator.SearchAsync(new SearchRequest("warm-up", k, mode), cancellationToken).ConfigureAwait(false);
        int judged = 0;
        int first = 0;
        foreach (SampleQuestion question in questions)
        {
            // Searched deeper than shown, so the intended passage's rank is known even below the printed hits.
            SearchResponse response = await cluster.Coordinator.SearchAsync(new SearchRequest(question.Text, Math.Max(k, JudgedDepth), mode),
                cancellationToken).ConfigureAwait(false);
            Print(question, response, k);
            if (question.IntendedId is not null)
            {
                judged++;
                first += response.Hits.Length > 0 && response.Hits[0].Id == question.IntendedId ? 1 : 0;
            }
        }
        if (judged > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"{first} of {judged} sample questions have their intended passage at rank 1 ({mode}, encoder {encoder}).");
        }
        return 0;
    }

    private static async Task IngestMissingAsync(ICoordinatorGrain coordinator, IReadOnlyList<CorpusDocument> documents,
        CancellationToken cancellationToken)
    {
        var missing = new List<Passage>();
        foreach (CorpusDocument document in documents)
        {
            if (await coordinator.GetAsync(document.Id, cancellationToken).ConfigureAwait(false) is null)
            {
                missing.Add(new Passage(document.Id, document.Title, document.Text));
            }
        }
        if (missing.Count == 0)
        {
            Console.WriteLine($"  all {documents.Count:N0} corpus passages are already stored; nothing to ingest");
            return;
        }
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < missing.Count; start += IngestBatch)
        {
            int count = Math.Min(IngestBatch, missing.Count - start);
            await coordinator.UpsertAsync([.. missing.GetRange(start, count)], cancellationToken).ConfigureAwait(false);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  ingested {missing.Count:N0} passages in {seconds:F2} s ({missing.Count / Math.Max(seconds, 1e-9):N0} passages/s, " +
            "durable before each ack)");
    }

    private static void Print(SampleQuestion question, SearchResponse response, int shown)
    {
        Console.WriteLine();
        Console.WriteLine($"Q: {question.Text}");
        for (int i = 0; i < Math.Min(shown, response.Hits.Length); i++)
        {
            PassageHit hit = response.Hits[i];
            string text = hit.Text.Length > 110 ? hit.Text[..107] + "..." : hit.Text;
            Console.WriteLine($"  {i + 1,2}. {hit.Score,8:F4}  {hit.Title} (shard {hit.Shard})");
            Console.WriteLine($"                {text}");
        }
        if (question.IntendedId is { } intended)
        {
            int rank = Array.FindIndex(response.Hits, h => h.Id == intended) + 1;
            Console.WriteLine(rank == 1 ? $"      intended passage '{intended}' at rank 1"
                : rank > 1 ? $"      intended passage '{intended}' at rank {rank}"
                : $"      intended passage '{intended}' not in the top {response.Hits.Length}");
        }
        StageTimings t = response.Timings;
        Console.WriteLine($"      encode {t.EncodeMs:F2} ms | statistics {t.StatisticsMs:F2} ms | shards {t.ShardsMs:F2} ms | " +
            $"merge {t.MergeMs:F2} ms | total {response.TookMs:F2} ms" + (response.Partial ? $" | PARTIAL, failed shards {string.Join(",", response.FailedShards)}" : ""));
    }
}
