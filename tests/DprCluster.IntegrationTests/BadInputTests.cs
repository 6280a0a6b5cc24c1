using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;

namespace DprCluster.IntegrationTests;

/// <summary>
/// Bad input to the REST API and to the grain calls between silos gets a 4xx answer with a stable code (problem+json
/// on the REST side), and the cluster keeps answering valid requests afterwards.
/// </summary>
[Collection(QueryClusterCollection.Name)]
public sealed class BadInputTests(QueryClusterFixture fixture)
{
    private static readonly string LongQuery = new('x', TestCluster.MaxBodyBytes + 10);

    public static TheoryData<string, string, string, int, string> BadRequests => new()
    {
        { "empty query", "/v1/search", "{\"query\": \"\"}", 400, ClusterErrorCodes.InvalidRequest },
        { "blank query", "/v1/search", "{\"query\": \"   \"}", 400, ClusterErrorCodes.InvalidRequest },
        { "no query", "/v1/search", "{\"k\": 3}", 400, ClusterErrorCodes.InvalidRequest },
        { "query and queries", "/v1/search", "{\"query\": \"a\", \"queries\": [\"b\"]}", 400, ClusterErrorCodes.InvalidRequest },
        { "k zero", "/v1/search", "{\"query\": \"a\", \"k\": 0}", 400, ClusterErrorCodes.InvalidRequest },
        { "k negative", "/v1/search", "{\"query\": \"a\", \"k\": -5}", 400, ClusterErrorCodes.InvalidRequest },
        { "k over the limit", "/v1/search", $"{{\"query\": \"a\", \"k\": {TestCluster.MaxK + 1}}}", 400, ClusterErrorCodes.InvalidRequest },
        { "unknown mode", "/v1/search", "{\"query\": \"a\", \"mode\": \"sparse\"}", 400, ClusterErrorCodes.InvalidRequest },
        { "unknown fusion", "/v1/search", "{\"query\": \"a\", \"mode\": \"hybrid\", \"fusion\": \"max\"}", 400, ClusterErrorCodes.InvalidRequest },
        { "ef zero", "/v1/search", "{\"query\": \"a\", \"ef\": 0}", 400, ClusterErrorCodes.InvalidRequest },
        { "malformed JSON", "/v1/search", "{\"query\": \"a\",", 400, ClusterErrorCodes.InvalidRequest },
        { "not an object", "/v1/search", "[1, 2]", 400, ClusterErrorCodes.InvalidRequest },
        { "wrong type", "/v1/search", "{\"query\": \"a\", \"k\": \"ten\"}", 400, ClusterErrorCodes.InvalidRequest },
        { "misspelt field", "/v1/search", "{\"qeury\": \"a\"}", 400, ClusterErrorCodes.InvalidRequest },
        { "empty body", "/v1/search", "", 400, ClusterErrorCodes.InvalidRequest },
        { "oversized body", "/v1/search", $"{{\"query\": \"{LongQuery}\"}}", 413, ClusterErrorCodes.PayloadTooLarge },
        { "empty batch", "/v1/passages", "{\"passages\": []}", 400, ClusterErrorCodes.InvalidRequest },
        { "duplicate ids in one batch", "/v1/passages",
            "{\"passages\": [{\"id\": \"dup\", \"text\": \"a\"}, {\"id\": \"dup\", \"text\": \"b\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "passage without id", "/v1/passages", "{\"passages\": [{\"text\": \"a\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "passage without text", "/v1/passages", "{\"passages\": [{\"id\": \"a\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "batch over the limit", "/v1/passages", OversizedBatch(), 400, ClusterErrorCodes.InvalidRequest },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequestIsAProblemWithAStableCodeAndTheClusterKeepsServing(string name, string path, string body, int status, string code)
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.Gateway.ApiUrl };
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestCluster.ApiKey);
        using HttpResponseMessage response = await http.SendAsync(request);
        await AssertProblemAsync(response, status, code, name);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task WritesNeedTheApiKey()
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.Gateway.ApiUrl };
        const string batch = "{\"passages\": [{\"id\": \"keyed\", \"text\": \"a\"}]}";

        using var missing = await http.PostAsync("/v1/passages", new StringContent(batch, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(missing, 401, ClusterErrorCodes.Unauthorized, "no key");
        Assert.Contains("Bearer", missing.Headers.WwwAuthenticate.ToString());

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/v1/passages") { Content = new StringContent(batch, Encoding.UTF8, "application/json") };
        wrong.Headers.Add("X-Api-Key", "not-the-key");
        await AssertProblemAsync(await http.SendAsync(wrong), 401, ClusterErrorCodes.Unauthorized, "wrong key");

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/v1/passages/sahara");
        await AssertProblemAsync(await http.SendAsync(delete), 401, ClusterErrorCodes.Unauthorized, "delete without key");
        Assert.NotNull(await fixture.Cluster.Client.GetAsync("sahara"));

        using var right = new HttpRequestMessage(HttpMethod.Post, "/v1/passages") { Content = new StringContent(batch, Encoding.UTF8, "application/json") };
        right.Headers.Add("X-Api-Key", TestCluster.ApiKey);
        using HttpResponseMessage accepted = await http.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.True(await fixture.Cluster.Client.DeleteAsync("keyed"));
    }

    [Fact]
    public async Task UnknownPassagesAndRoutesAreNotFoundProblems()
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.Gateway.ApiUrl };
        await AssertProblemAsync(await http.GetAsync("/v1/passages/no-such-passage"), 404, ClusterErrorCodes.NotFound, "unknown id");
        await AssertProblemAsync(await http.GetAsync("/v1/nowhere"), 404, ClusterErrorCodes.NotFound, "unknown route");
        await AssertProblemAsync(await http.GetAsync("/v1/search"), 405, ClusterErrorCodes.InvalidRequest, "wrong method");
    }

    [Fact]
    public async Task VectorOfTheWrongDimensionIsRefusedAcrossOrleansWithItsCode()
    {
        // The REST API takes text; vectors enter a shard through a grain call, which must carry the code back.
        IShardReplicaGrain replica = await fixture.Cluster.ReplicaAsync(0, fixture.Cluster.Placement.ShardsOn(0)[0]);
        var search = new ShardSearchRequest(new float[TestCluster.Dimension + 1], null, null, 5);
        ClusterException searchError = await Assert.ThrowsAsync<ClusterException>(() => replica.SearchAsync(search, CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.DimensionMismatch, searchError.Code);

        var upsert = new ShardUpsertRequest([new EncodedPassage(new Passage("wrong-dim", "", "text"), new float[TestCluster.Dimension - 1])]);
        ClusterException upsertError = await Assert.ThrowsAsync<ClusterException>(() => replica.UpsertAsync(upsert, CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.DimensionMismatch, upsertError.Code);
        Assert.Null(await replica.GetAsync("wrong-dim", CancellationToken.None));
        await AssertStillServingAsync();
    }

    private static string OversizedBatch()
    {
        var passages = new List<PassageBody>();
        for (int i = 0; i <= TestCluster.MaxBatch; i++)
        {
            passages.Add(new PassageBody { Id = $"b{i}", Text = "t" });
        }
        return JsonSerializer.Serialize(new PassagesBody { Passages = passages }, ApiJsonContext.Default.PassagesBody);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string code, string name)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{name}: HTTP {(int)response.StatusCode}, expected {status}: {body}");
        Assert.Equal(ProblemWriter.MediaType, response.Content.Headers.ContentType?.MediaType);
        ProblemDocument problem = JsonSerializer.Deserialize(body, ApiJsonContext.Default.ProblemDocument)!;
        Assert.Equal(code, problem.Code);
        Assert.Equal(status, problem.Status);
        Assert.Equal($"urn:dprcluster:error:{code}", problem.Type);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
    }

    private async Task AssertStillServingAsync()
    {
        SearchResponseBody response = await fixture.Cluster.Client.SearchAsync(new SearchBody { Query = "Statue of Liberty", K = 3, Mode = "bm25" });
        Assert.Equal("statue-of-liberty", response.Hits[0].Id);
    }
}
