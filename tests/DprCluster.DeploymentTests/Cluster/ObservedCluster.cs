using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DprCluster.Testing;

namespace DprCluster.DeploymentTests.Cluster;

/// <summary>
/// A multi-silo cluster in real processes on loopback, as docker-compose runs it (a gateway, an encoder, three shard
/// silos holding three shards with replication 2, joined through Redis), exporting traces to an <see cref="OtlpTraceReceiver"/> and scraped
/// every second by a real Prometheus that loads deploy/prometheus/alerts.yml. Shared by the tests of one class.
/// </summary>
public sealed class ObservedCluster : IAsyncLifetime
{
    public const int ShardCount = 3;
    private const int ShardSilos = 3;

    private SiloCluster _cluster = null!;

    internal HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    internal SiloProcess Gateway => _cluster.Gateway;

    internal IReadOnlyList<SiloProcess> Silos { get; private set; } = [];

    internal PrometheusServer Prometheus { get; private set; } = null!;

    internal OtlpTraceReceiver Traces { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Traces = await OtlpTraceReceiver.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["DPRCLUSTER_Encoder__Model"] = "static",
            ["DPRCLUSTER_Encoder__Dimension"] = "100",
            // Small enough that the workload below makes every replica write snapshots.
            ["DPRCLUSTER_Shard__SnapshotEveryRecords"] = "8",
            // Measure recall often enough that the recall panel has data within the test.
            ["DPRCLUSTER_Shard__RecallProbeIntervalMs"] = "100",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = Traces.TracesEndpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        };
        _cluster = await SiloCluster.StartAsync(ShardSilos, ShardCount, replication: 2, environment);
        Silos = [.. _cluster.All];
        Prometheus = await PrometheusServer.StartAsync(PrometheusConfiguration());
        await RunWorkloadAsync();
    }

    /// <summary>The role a silo runs, as the scrape configuration labels it.</summary>
    internal static string RoleOf(SiloProcess silo) => silo.Name.StartsWith("shard-", StringComparison.Ordinal) ? "shard" : silo.Name;

    /// <summary>When the shared workload finished; scrapes after it see all of its metrics.</summary>
    internal DateTime WorkloadDone { get; private set; }

    /// <summary>
    /// Writes, deletes and searches in every mode before any test, in two rounds with scrapes between them, so that
    /// Prometheus sees every counter and histogram both appear and grow (a rate needs two different samples). Every
    /// panel then has something to show, and tests that stop a silo cannot starve the others of data.
    /// </summary>
    private async Task RunWorkloadAsync()
    {
        (List<(string Id, string Title, string Text)> passages, List<string> questions) = SampleData(passages: 100, questions: 8);
        await RunRoundAsync(passages.GetRange(0, 90), questions);
        await WaitForScrapesAsync(DateTime.UtcNow);
        await RunRoundAsync(passages.GetRange(90, 10), questions.GetRange(0, 3));
        WorkloadDone = DateTime.UtcNow;
    }

    private async Task RunRoundAsync(List<(string Id, string Title, string Text)> passages, List<string> questions)
    {
        for (int start = 0; start < passages.Count; start += 30)
        {
            await UpsertAsync(passages.GetRange(start, Math.Min(30, passages.Count - start)));
        }
        for (int i = 0; i < passages.Count; i += 15)
        {
            await DeleteAsync(passages[i].Id);
        }
        foreach (string mode in new[] { "dense", "bm25", "hybrid" })
        {
            foreach (string question in questions)
            {
                await SearchAsync(question, mode);
            }
        }
    }

    /// <summary>Waits until Prometheus has scraped every live silo at least twice after <paramref name="since"/>.</summary>
    internal Task WaitForScrapesAsync(DateTime since) =>
        Poll.UntilAsync("two scrapes of every running silo after " + since.ToString("O"), TimeSpan.FromSeconds(30), async () =>
        {
            var targets = await Prometheus.TargetsAsync();
            return targets.Count == Silos.Count && Silos.Where(silo => !silo.Stopped).All(silo => targets.Any(t =>
                t.Instance == silo.Instance && t.Health == "up" && t.LastScrape > since.AddSeconds(1.2)));
        });

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        Prometheus?.Dispose();
        if (Traces is not null)
        {
            await Traces.DisposeAsync();
        }
        Http.Dispose();
    }

    /// <summary>Upserts passages through the gateway's REST API.</summary>
    internal async Task UpsertAsync(IReadOnlyList<(string Id, string Title, string Text)> passages, string? traceparent = null)
    {
        var body = new JsonObject
        {
            ["passages"] = new JsonArray([.. passages.Select(p => (JsonNode)new JsonObject { ["id"] = p.Id, ["title"] = p.Title, ["text"] = p.Text })]),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Gateway.ApiUrl, "v1/passages"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }
        using HttpResponseMessage response = await Http.SendAsync(request);
        await EnsureSuccessAsync(response);
    }

    internal async Task DeleteAsync(string id)
    {
        using HttpResponseMessage response = await Http.DeleteAsync(new Uri(Gateway.ApiUrl, "v1/passages/" + Uri.EscapeDataString(id)));
        await EnsureSuccessAsync(response);
    }

    /// <summary>Runs one search; returns the response body.</summary>
    internal async Task<JsonElement> SearchAsync(string query, string mode, string? traceparent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Gateway.ApiUrl, "v1/search"))
        {
            Content = new StringContent(new JsonObject { ["query"] = query, ["mode"] = mode, ["k"] = 5 }.ToJsonString(),
                Encoding.UTF8, "application/json"),
        };
        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }
        using HttpResponseMessage response = await Http.SendAsync(request);
        await EnsureSuccessAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    /// <summary>SciFact passages and questions (shared data), a few of each.</summary>
    internal static (List<(string Id, string Title, string Text)> Passages, List<string> Questions) SampleData(int passages, int questions)
    {
        string scifact = Path.Combine(RepositoryPaths.SharedData, "scifact");
        var corpus = new List<(string, string, string)>();
        foreach (string line in File.ReadLines(Path.Combine(scifact, "corpus.jsonl")).Take(passages))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            string text = root.GetProperty("text").GetString()!;
            corpus.Add((root.GetProperty("_id").GetString()!, root.GetProperty("title").GetString()!, text[..Math.Min(text.Length, 600)]));
        }
        var queries = new List<string>();
        foreach (string line in File.ReadLines(Path.Combine(scifact, "queries.jsonl")).Take(questions))
        {
            using JsonDocument document = JsonDocument.Parse(line);
            queries.Add(document.RootElement.GetProperty("text").GetString()!);
        }
        return (corpus, queries);
    }

    /// <summary>Every silo's output, for failure messages.</summary>
    internal string Diagnostics() =>
        string.Join("\n", Silos.Select(silo => $"--- {silo.Name} ---\n{Tail(silo.Output)}")) + $"\n--- prometheus ---\n{Tail(Prometheus.Output)}";

    private string PrometheusConfiguration()
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s");
        yaml.AppendLine($"rule_files:\n  - \"{RepositoryLayout.AlertRules}\"");
        yaml.AppendLine("scrape_configs:\n  - job_name: dprcluster\n    static_configs:");
        foreach (IGrouping<string, SiloProcess> role in Silos.GroupBy(RoleOf))
        {
            yaml.AppendLine($"      - targets: [{string.Join(", ", role.Select(silo => $"\"{silo.Instance}\""))}]");
            yaml.AppendLine($"        labels:\n          role: {role.Key}");
        }
        return yaml.ToString();
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private static async Task EnsureSuccessAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered " +
                $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
