using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Testing;

namespace DprCluster.Silo.Tests;

/// <summary>The embedded default, one Orleans silo with every role on localhost clustering, served over its REST API.</summary>
public sealed class EmbeddedSiloTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("dprcluster-silo-").FullName;
    private readonly LoopbackPorts _ports = LoopbackPorts.Lease(2);
    private SiloHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await SiloHost.StartAsync(SiloConfiguration.Load(null, new Dictionary<string, string?>
        {
            ["Silo:ApiUrl"] = $"http://127.0.0.1:{_ports.Ports[0].ToString(CultureInfo.InvariantCulture)}",
            ["Silo:SiloPort"] = _ports.Ports[1].ToString(CultureInfo.InvariantCulture),
            ["Silo:DataDirectory"] = _data,
            ["Cluster:ShardCount"] = "3",
            ["Encoder:Kind"] = "onnx",
            ["Encoder:QuestionModel"] = RepositoryPaths.TinyModel,
            ["Encoder:IntraOpThreads"] = "1",
            ["Telemetry:Enabled"] = "false",
        }));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync("the embedded silo to be ready", TimeSpan.FromSeconds(60), async () =>
            (await http.GetAsync(new Uri(_host.Plan.ApiUrl, "readyz"))).IsSuccessStatusCode);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _ports.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Writes_searches_and_the_cluster_view_go_through_the_co_hosted_gateway()
    {
        using var client = new ClusterClient(_host.Plan.ApiUrl, timeout: TimeSpan.FromSeconds(60));
        UpsertResponseBody upserted = await client.UpsertAsync(
        [
            new PassageBody { Id = "everest", Title = "Everest", Text = "Mount Everest is the highest mountain above sea level." },
            new PassageBody { Id = "nile", Title = "Nile", Text = "The Nile is a major river flowing north through Africa." },
            new PassageBody { Id = "sahara", Title = "Sahara", Text = "The Sahara is the largest hot desert in the world." },
        ]);
        Assert.Equal(3, upserted.Upserted);

        SearchResponseBody bm25 = await client.SearchAsync(new SearchBody { Query = "highest mountain", K = 2, Mode = "bm25" });
        Assert.Equal("everest", bm25.Hits[0].Id);
        Assert.False(bm25.Partial);
        SearchResponseBody dense = await client.SearchAsync(new SearchBody { Query = "highest mountain", K = 3 });
        Assert.Equal(3, dense.Hits.Count);

        ClusterBody cluster = await client.GetClusterAsync();
        Assert.Equal(3, cluster.ShardCount);
        SiloBody silo = Assert.Single(cluster.Silos);
        Assert.Equal(["gateway", "shard", "encoder"], silo.Roles);
        Assert.Equal("active", silo.Status);
        Assert.Equal(3, cluster.Shards.Sum(s => s.Replicas[0].Stats!.Passages));
        // Three passages and one dense question went through the encoder: the cluster view counts their batches.
        EncoderStatsBody encoder = cluster.Encoder!;
        Assert.True(encoder.PassageBatches >= 1 && encoder.QueryBatches >= 1, $"{encoder}");
        Assert.InRange(encoder.MeanPassageBatch, 1, 3);
        Assert.Equal(0, encoder.QueueLength);

        Assert.True(await client.DeleteAsync("nile"));
        Assert.Null(await client.GetAsync("nile"));
    }

    [Fact]
    public async Task Passages_that_bring_vectors_are_stored_without_the_encoder_and_checked_against_the_index()
    {
        using var client = new ClusterClient(_host.Plan.ApiUrl, timeout: TimeSpan.FromSeconds(60));
        int dimension = (await client.GetClusterAsync()).EncoderDimension;
        float[] Vector(int seed) => [.. Enumerable.Range(0, dimension).Select(i => MathF.Sin(seed * 31 + i))];
        PassageBody[] imported = [.. Enumerable.Range(0, 5).Select(i => new PassageBody { Id = $"vec-{i}", Text = $"imported passage {i}", Vector = Vector(i) })];

        UpsertResponseBody first = await client.UpsertAsync(imported);
        Assert.Equal((5, 0, 0), (first.Upserted, first.Encoded, first.Unchanged));
        Assert.Equal("imported passage 3", (await client.GetAsync("vec-3"))?.Text);
        // Resent (a resumed import): every passage is found stored unchanged.
        Assert.Equal(5, (await client.UpsertAsync(imported)).Unchanged);

        async Task<string?> Refusal(params PassageBody[] passages)
        {
            ClusterApiException e = await Assert.ThrowsAsync<ClusterApiException>(() => client.UpsertAsync(passages));
            Assert.Equal(400, e.Status);
            return e.Code;
        }
        Assert.Equal("dimension_mismatch", await Refusal(new PassageBody { Id = "short", Text = "t", Vector = new float[dimension - 1] }));
        Assert.Equal("invalid_request", await Refusal(imported[0] with { Id = "mixed" }, new PassageBody { Id = "plain", Text = "no vector" }));
        Assert.Equal("invalid_request", await Refusal(new PassageBody { Id = "empty", Text = "t", Vector = [] }));
        // A value beyond float's range cannot be stored: refused like any bad body, never logged as infinity.
        using var http = new HttpClient { BaseAddress = _host.Plan.ApiUrl };
        string huge = string.Join(",", Enumerable.Repeat("1e39", dimension));
        using HttpResponseMessage overflow = await http.PostAsync("/v1/passages",
            new StringContent($"{{\"passages\":[{{\"id\":\"inf\",\"text\":\"t\",\"vector\":[{huge}]}}]}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, overflow.StatusCode);
        Assert.Contains("invalid_request", await overflow.Content.ReadAsStringAsync());
        Assert.Null(await client.GetAsync("inf"));
        Assert.Null(await client.GetAsync("short"));

        // A precomputed question vector searches them without the encoder: each finds itself first, with its own score.
        for (int i = 0; i < 5; i++)
        {
            SearchResponseBody answer = await client.SearchAsync(new SearchBody { Vector = Vector(i), K = 2 });
            Assert.Equal($"vec-{i}", answer.Hits[0].Id);
            Assert.Equal(Index.Vectors.VectorKernels.Dot(Vector(i), Vector(i)), answer.Hits[0].Score, 1e-3f);
        }
        async Task<string?> SearchRefusal(SearchBody body)
        {
            ClusterApiException e = await Assert.ThrowsAsync<ClusterApiException>(() => client.SearchAsync(body));
            Assert.Equal(400, e.Status);
            return e.Code;
        }
        Assert.Equal("dimension_mismatch", await SearchRefusal(new SearchBody { Vector = new float[dimension + 1] }));
        Assert.Equal("invalid_request", await SearchRefusal(new SearchBody { Vector = Vector(0), Mode = "bm25", Query = "imported" }));
        Assert.Equal("invalid_request", await SearchRefusal(new SearchBody { Vector = Vector(0), Mode = "hybrid" }));
        Assert.Equal("invalid_request", await SearchRefusal(new SearchBody { Vector = [], K = 1 }));
        Assert.Equal("invalid_request", await SearchRefusal(new SearchBody { Vector = Vector(0), Queries = ["a", "b"] }));
        // Hybrid with both: the vector for the dense side, the words for BM25.
        SearchResponseBody hybrid = await client.SearchAsync(new SearchBody { Vector = Vector(2), Query = "imported passage 2", Mode = "hybrid", K = 3 });
        Assert.Equal("vec-2", hybrid.Hits[0].Id);
    }

    [Fact]
    public async Task The_public_json_keeps_its_snake_case_shape()
    {
        using var http = new HttpClient { BaseAddress = _host.Plan.ApiUrl, Timeout = TimeSpan.FromSeconds(60) };
        using HttpResponseMessage response = await http.PostAsJsonAsync("v1/search", new { query = "anything", k = 1, mode = "hybrid" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(["hits", "took_ms", "timings", "partial", "failed_shards", "shard_timings"], body.Select(p => p.Key));
        Assert.Equal(["shard", "replica", "silo", "ms"], body["shard_timings"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal(["encode_ms", "statistics_ms", "shards_ms", "merge_ms"], body["timings"]!.AsObject().Select(p => p.Key));
    }
}
