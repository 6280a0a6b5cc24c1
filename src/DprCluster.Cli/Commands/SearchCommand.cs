using System.CommandLine;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;

namespace DprCluster.Cli.Commands;

/// <summary><c>dprcluster search "question" --url URL [--k] [--mode]</c>: one search against a running cluster, printed as a ranked list.</summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var question = new Argument<string>("question") { Description = "The question." };
        var url = new Option<string>("--url") { Description = "Gateway URL.", DefaultValueFactory = _ => "http://localhost:8080" };
        var k = new Option<int>("--k") { Description = "Passages to return.", DefaultValueFactory = _ => 10 };
        var mode = new Option<string>("--mode") { Description = "dense, bm25 or hybrid.", DefaultValueFactory = _ => "dense" };
        mode.AcceptOnlyFromAmong("dense", "bm25", "hybrid");
        var ef = new Option<int?>("--ef") { Description = "HNSW beam width (default: the shards')." };
        var fusion = new Option<string>("--fusion") { Description = "Hybrid fusion: normalized (the default), rrf or linear.", DefaultValueFactory = _ => "normalized" };
        fusion.AcceptOnlyFromAmong("normalized", "rrf", "linear");
        var command = new Command("search", "Search a running cluster.") { question, url, k, mode, ef, fusion };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out Uri? gateway))
            {
                Console.Error.WriteLine($"error: --url '{parse.GetValue(url)}' is not an absolute URL.");
                return 2;
            }
            using var client = new ClusterClient(gateway);
            try
            {
                var body = new SearchBody
                {
                    Query = parse.GetValue(question),
                    K = parse.GetValue(k),
                    Mode = parse.GetValue(mode),
                    Ef = parse.GetValue(ef),
                    Fusion = parse.GetValue(fusion),
                };
                SearchResponseBody response = await client.SearchAsync(body, cancellationToken).ConfigureAwait(false);
                Print(response);
                return 0;
            }
            catch (Exception e) when (e is ClusterApiException or HttpRequestException or TaskCanceledException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static void Print(SearchResponseBody response)
    {
        for (int i = 0; i < response.Hits.Count; i++)
        {
            HitBody hit = response.Hits[i];
            Console.WriteLine($"{i + 1,3}. {hit.Score,9:F4}  {hit.Id}  {hit.Title} (shard {hit.Shard})");
            string text = hit.Text.Length > 160 ? hit.Text[..157] + "..." : hit.Text;
            Console.WriteLine($"                {text}");
        }
        TimingsBody t = response.Timings;
        Console.WriteLine($"took {response.TookMs:F2} ms: encode {t.EncodeMs:F2} | statistics {t.StatisticsMs:F2} | shards {t.ShardsMs:F2} | merge {t.MergeMs:F2}");
        if (response.Partial)
        {
            Console.WriteLine($"PARTIAL: no replica answered for shard(s) {string.Join(", ", response.FailedShards)}");
        }
    }
}
