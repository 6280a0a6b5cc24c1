using System.Text.Json;
using DprCluster.DeploymentTests.Cluster;
using DprCluster.Grains.Placement;
using Xunit.Abstractions;
using DprCluster.Testing;

namespace DprCluster.DeploymentTests.Telemetry;

/// <summary>
/// The observability stack against a real cluster: real silo processes, the real Prometheus scraping them and loading
/// the alert rules, every Grafana panel's PromQL evaluated through Prometheus' API, and a search traced across silos.
/// </summary>
public sealed class ClusterObservabilityTests(ObservedCluster cluster, ITestOutputHelper output) : IClassFixture<ObservedCluster>
{
    private static readonly TimeSpan QueryDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Prometheus_scrapes_every_silo_and_each_scrape_is_valid_exposition_format()
    {
        await cluster.WaitForScrapesAsync(cluster.WorkloadDone);
        foreach (SiloProcess silo in cluster.Silos.Where(s => !s.Stopped))
        {
            using HttpResponseMessage response = await cluster.Http.GetAsync(new Uri(silo.ApiUrl, "metrics"));
            Assert.True(response.IsSuccessStatusCode, $"{silo.Name}: GET /metrics answered {(int)response.StatusCode}");
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            ExpositionDocument document = ExpositionDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains(document.Samples, sample => sample.Name == "dprcluster_silo_info" && sample.Labels["silo"] == silo.Name);
            Assert.Contains(document.Samples, sample => sample.Name == "dotnet_process_memory_working_set_bytes");
        }
        var targets = await cluster.Prometheus.TargetsAsync();
        foreach (SiloProcess silo in cluster.Silos.Where(s => !s.Stopped))
        {
            var target = Assert.Single(targets, t => t.Instance == silo.Instance);
            Assert.True(target.Health == "up" && target.LastError == "", $"{silo.Name}: {target.Health} {target.LastError}");
        }
    }

    [Fact]
    public async Task Every_dashboard_panel_and_alert_expression_parses_and_every_panel_returns_data()
    {
        await cluster.WaitForScrapesAsync(cluster.WorkloadDone);
        List<DashboardQuery> panels = DashboardQueries.Panels();
        List<DashboardQuery> variables = DashboardQueries.Variables();
        Assert.Equal(5, DashboardQueries.DashboardFiles().Length);

        var unparsed = new List<string>();
        var empty = new List<string>();
        foreach ((DashboardQuery query, QueryResult result) in await EvaluateUntilDataAsync(panels.Concat(variables)))
        {
            if (!result.Parsed)
            {
                unparsed.Add($"{query.Where}: {result.Error}\n    {query.PromQL}");
            }
            else if (!result.HasData)
            {
                empty.Add($"{query.Where}: no data\n    {query.PromQL}");
            }
        }

        List<LoadedRule> rules = await cluster.Prometheus.RulesAsync();
        int alertsInFile = File.ReadLines(RepositoryLayout.AlertRules).Count(line => line.TrimStart().StartsWith("- alert:", StringComparison.Ordinal));
        Assert.Equal(alertsInFile, rules.Count);
        foreach (LoadedRule rule in rules)
        {
            QueryResult result = await cluster.Prometheus.QueryAsync(rule.Query);
            if (!result.Parsed)
            {
                unparsed.Add($"alert {rule.Name}: {result.Error}\n    {rule.Query}");
            }
        }
        // Prometheus evaluates the loaded rules itself every second: each must have run without error.
        await Poll.UntilAsync("every alert rule to be evaluated", QueryDeadline,
            async () => (await cluster.Prometheus.RulesAsync()).All(rule => rule.Health == "ok"));

        output.WriteLine($"panel targets: {panels.Count}, template variables: {variables.Count}, alert rules: {rules.Count}");
        output.WriteLine($"parsed: {panels.Count + variables.Count + rules.Count - unparsed.Count}/{panels.Count + variables.Count + rules.Count}; " +
            $"panels and variables with data: {panels.Count + variables.Count - unparsed.Count - empty.Count}/{panels.Count + variables.Count}");
        Assert.True(unparsed.Count == 0, "Expressions Prometheus rejected:\n" + string.Join("\n", unparsed));
        Assert.True(empty.Count == 0, "Panels without data:\n" + string.Join("\n", empty) + "\n" + cluster.Diagnostics());
    }

    [Fact]
    public async Task A_search_is_one_trace_from_the_gateway_through_the_encoder_to_every_shard()
    {
        string traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        string callerSpan = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);
        await cluster.SearchAsync("vitamin D deficiency and bone density", "hybrid", $"00-{traceId}-{callerSpan}-01");

        List<ReceivedSpan> spans;
        try
        {
            spans = await Poll.UntilAsync("the search's spans from every silo", QueryDeadline, () =>
            {
                List<ReceivedSpan> trace = cluster.Traces.Trace(traceId);
                bool complete = trace.Any(s => s.Name == "coordinator.search")
                    && trace.Any(s => s.Name == "encoder.encode")
                    && trace.Count(s => s.Name == "shard.search") == ObservedCluster.ShardCount;
                return Task.FromResult(complete ? trace : null);
            });
        }
        catch (TimeoutException e)
        {
            string received = string.Join("\n", cluster.Traces.Trace(traceId).Select(s => $"  {s.Service} {s.Scope} {s.Name} {s.SpanId} <- {s.ParentSpanId}"));
            throw new TimeoutException($"{e.Message} Spans of trace {traceId} received:\n{received}\n{cluster.Diagnostics()}", e);
        }

        ReceivedSpan search = Assert.Single(spans, s => s.Name == "coordinator.search");
        Assert.Equal("dprcluster-gateway", search.Service);
        Dictionary<string, ReceivedSpan> byId = spans.ToDictionary(s => s.SpanId);
        List<ReceivedSpan> shardSpans = [.. spans.Where(s => s.Name == "shard.search")];
        Assert.Equal(Enumerable.Range(0, ObservedCluster.ShardCount).Select(i => i.ToString()), shardSpans.Select(s => s.Attributes["shard"]).Order());
        foreach (ReceivedSpan shard in shardSpans.Append(Assert.Single(spans, s => s.Name == "encoder.encode")))
        {
            Assert.NotEqual(search.Service, shard.Service);
            // The parent chain crosses the process boundary (the callee's Orleans grain-call span continues the
            // gateway's, which Orleans carries in the request context) and reaches the gateway's search span.
            List<string> chain = Ancestors(shard, byId);
            Assert.Contains(search.SpanId, chain);
            string server = Assert.Single(chain, id => byId[id].Scope == OrleansScope && byId[id].Service == shard.Service);
            Assert.Equal(shard.Name == "encoder.encode" ? "coordinator.encode" : "coordinator.shard_call", CallerOf(byId[server], byId).Name);
        }
        // The gateway's request span continued the caller's W3C context.
        Assert.Equal(callerSpan, byId[Ancestors(search, byId)[^1]].ParentSpanId);
    }

    [Fact]
    public async Task A_write_is_one_trace_from_the_gateway_to_the_commit_on_every_replica()
    {
        // A passage of a shard whose two replicas live on the silos no other test stops (shard-2 may be down by now).
        var placement = new ShardPlacement(ObservedCluster.ShardCount, ObservedCluster.ShardCount, 2);
        int shard = Enumerable.Range(0, placement.ShardCount).First(s => !placement.SilosOf(s).Contains(2));
        string id = Enumerable.Range(0, 1000).Select(i => $"traced-write-{i}").First(i => placement.ShardOf(i) == shard);
        string traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        await cluster.UpsertAsync([(id, "", "Vitamin D is made in the skin under sunlight.")],
            $"00-{traceId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01");

        // The passage's shard has replication factor 2: it is committed on two shard silos.
        List<ReceivedSpan> spans = await Poll.UntilAsync("the write's spans from both replicas", QueryDeadline, () =>
        {
            List<ReceivedSpan> trace = cluster.Traces.Trace(traceId);
            bool complete = trace.Count(s => s.Name == "shard.commit") == 2 && trace.Count(s => s.Name == "wal.append") == 2
                && trace.Count(s => s.Name == "shard.apply") == 2;
            return Task.FromResult(complete ? trace : null);
        });
        Dictionary<string, ReceivedSpan> byId = spans.ToDictionary(s => s.SpanId);
        // The gateway's upsert reaches the shard's writer, whose one batch reaches both replicas.
        ReceivedSpan write = Assert.Single(spans, s => s.Name == "writer.commit");
        Assert.Equal(Assert.Single(spans, s => s.Name == "coordinator.upsert").SpanId, CallerOf(write, byId).SpanId);
        List<ReceivedSpan> commits = [.. spans.Where(s => s.Name == "shard.commit")];
        Assert.All(commits, c => Assert.Equal(shard.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Attributes["shard"]));
        foreach (ReceivedSpan commit in commits)
        {
            // The replica's commit joins the gateway's write span across the process boundary (through the replica's
            // Orleans grain-call span, which continues the gateway's); the log append and the apply are its children.
            ReceivedSpan request = byId[commit.ParentSpanId!];
            Assert.Equal((OrleansScope, commit.Service), (request.Scope, request.Service));
            Assert.Equal(write.SpanId, CallerOf(request, byId).SpanId);
            Assert.Single(spans, s => s.Name == "wal.append" && s.ParentSpanId == commit.SpanId);
            Assert.Single(spans, s => s.Name == "shard.apply" && s.ParentSpanId == commit.SpanId);
        }
    }

    [Fact]
    public async Task A_stopped_shard_silo_fires_the_shard_down_alert_while_searches_fail_over_to_replicas()
    {
        SiloProcess victim = cluster.Silos.Single(s => s.Name == "shard-2");
        victim.Kill();
        (_, List<string> questions) = ObservedCluster.SampleData(passages: 0, questions: 4);
        foreach (string question in questions)
        {
            JsonElement response = await cluster.SearchAsync(question, "dense");
            Assert.False(response.GetProperty("partial").GetBoolean(), "replication 2 leaves every shard a live replica");
        }

        string shardDown = (await cluster.Prometheus.RulesAsync()).Single(rule => rule.Name == "DprClusterShardSiloDown").Query;
        QueryResult down = await Poll.UntilAsync("the shard-down expression to name the stopped silo", QueryDeadline, async () =>
        {
            QueryResult result = await cluster.Prometheus.QueryAsync(shardDown);
            return result.HasData ? result : null;
        });
        Assert.Equal(victim.Instance, Assert.Single(down.Samples).Labels["instance"]);

        QueryResult failures = await Poll.UntilAsync("replica failures of the stopped silo", QueryDeadline, async () =>
        {
            QueryResult result = await cluster.Prometheus.QueryAsync("sum by (replica) (dprcluster_replica_failures_total)");
            return result.Samples.Any(s => s.Labels["replica"] == victim.Name) ? result : null;
        });
        Assert.All(failures.Samples, s => Assert.Equal(victim.Name, s.Labels["replica"]));
    }

    /// <summary>
    /// Evaluates every query, then re-evaluates those still without data until all have some or the deadline passes:
    /// a panel's first evaluation can precede the scrape that brings its series. Parse errors never change.
    /// </summary>
    private async Task<List<(DashboardQuery Query, QueryResult Result)>> EvaluateUntilDataAsync(IEnumerable<DashboardQuery> queries)
    {
        var results = new List<(DashboardQuery Query, QueryResult Result)>();
        foreach (DashboardQuery query in queries)
        {
            results.Add((query, await cluster.Prometheus.QueryAsync(query.PromQL)));
        }
        DateTime giveUp = DateTime.UtcNow + QueryDeadline;
        while (results.Any(r => r.Result.Parsed && !r.Result.HasData) && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(500);
            for (int i = 0; i < results.Count; i++)
            {
                if (results[i].Result.Parsed && !results[i].Result.HasData)
                {
                    results[i] = (results[i].Query, await cluster.Prometheus.QueryAsync(results[i].Query.PromQL));
                }
            }
        }
        return results;
    }

    private const string OrleansScope = "Microsoft.Orleans.Application";

    /// <summary>The nearest span above <paramref name="span"/> that is not one of Orleans' own (the call's caller).</summary>
    private static ReceivedSpan CallerOf(ReceivedSpan span, Dictionary<string, ReceivedSpan> byId)
    {
        ReceivedSpan current = byId[span.ParentSpanId!];
        while (current.Scope == OrleansScope)
        {
            current = byId[current.ParentSpanId!];
        }
        return current;
    }

    private static List<string> Ancestors(ReceivedSpan span, Dictionary<string, ReceivedSpan> byId)
    {
        var chain = new List<string>();
        for (ReceivedSpan? current = span; current?.ParentSpanId is string parent && byId.TryGetValue(parent, out current);)
        {
            chain.Add(parent);
        }
        return chain;
    }
}
