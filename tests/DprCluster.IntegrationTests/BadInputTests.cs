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
        { "id with a slash", "/v1/passages", "{\"passages\": [{\"id\": \"a/b\", \"text\": \"t\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "id with a backslash", "/v1/passages", "{\"passages\": [{\"id\": \"a\\\\b\", \"text\": \"t\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "id '.'", "/v1/passages", "{\"passages\": [{\"id\": \".\", \"text\": \"t\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "id '..'", "/v1/passages", "{\"passages\": [{\"id\": \"..\", \"text\": \"t\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "id with NUL", "/v1/passages", "{\"passages\": [{\"id\": \"a\\u0000b\", \"text\": \"t\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "id with a lone surrogate", "/v1/passages", "{\"passages\": [{\"id\": \"a\\ud800\", \"text\": \"t\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "id over 256 bytes", "/v1/passages", $"{{\"passages\": [{{\"id\": \"{new string('e', 257)}\", \"text\": \"t\"}}]}}", 400, ClusterErrorCodes.InvalidRequest },
        { "65 metadata pairs", "/v1/passages", ManyMetadataPairs(65), 400, ClusterErrorCodes.InvalidRequest },
        { "question over 2 KiB", "/v1/search", $"{{\"query\": \"{new string('q', 2049)}\"}}", 400, ClusterErrorCodes.InvalidRequest },
        { "questions x k over the hit limit", "/v1/search", ManyQueries(21, TestCluster.MaxK), 400, ClusterErrorCodes.InvalidRequest },
        { "answer over the response limit", "/v1/search", ManyQueries(10, TestCluster.MaxK), 400, ClusterErrorCodes.InvalidRequest },
        { "include_text not a boolean", "/v1/search", "{\"query\": \"a\", \"include_text\": \"no\"}", 400, ClusterErrorCodes.InvalidRequest },
        { "k fractional", "/v1/search", "{\"query\": \"a\", \"k\": 1.5}", 400, ClusterErrorCodes.InvalidRequest },
        { "k beyond int", "/v1/search", "{\"query\": \"a\", \"k\": 1e20}", 400, ClusterErrorCodes.InvalidRequest },
        { "ef over the limit", "/v1/search", "{\"query\": \"a\", \"ef\": 4097}", 400, ClusterErrorCodes.InvalidRequest },
        { "ef negative", "/v1/search", "{\"query\": \"a\", \"ef\": -1}", 400, ClusterErrorCodes.InvalidRequest },
        { "queries empty", "/v1/search", "{\"queries\": []}", 400, ClusterErrorCodes.InvalidRequest },
        { "queries over the limit", "/v1/search", ManyQueries(65, 1), 400, ClusterErrorCodes.InvalidRequest },
        { "a blank question among queries", "/v1/search", "{\"queries\": [\"a\", \" \"]}", 400, ClusterErrorCodes.InvalidRequest },
        { "queries not strings", "/v1/search", "{\"queries\": [1, 2]}", 400, ClusterErrorCodes.InvalidRequest },
        { "query a number", "/v1/search", "{\"query\": 5}", 400, ClusterErrorCodes.InvalidRequest },
        { "query null", "/v1/search", "{\"query\": null}", 400, ClusterErrorCodes.InvalidRequest },
        { "JSON nested too deep", "/v1/search", new string('[', 40) + new string(']', 40), 400, ClusterErrorCodes.InvalidRequest },
        { "passages not a list", "/v1/passages", "{\"passages\": {}}", 400, ClusterErrorCodes.InvalidRequest },
        { "a null passage", "/v1/passages", "{\"passages\": [null]}", 400, ClusterErrorCodes.InvalidRequest },
        { "metadata value not a string", "/v1/passages", "{\"passages\": [{\"id\": \"m\", \"text\": \"t\", \"metadata\": {\"a\": 1}}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "metadata empty key", "/v1/passages", "{\"passages\": [{\"id\": \"m\", \"text\": \"t\", \"metadata\": {\"\": \"v\"}}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "title not a string", "/v1/passages", "{\"passages\": [{\"id\": \"m\", \"title\": 3, \"text\": \"t\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "id a number", "/v1/passages", "{\"passages\": [{\"id\": 5, \"text\": \"t\"}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "unknown passage field", "/v1/passages", "{\"passages\": [{\"id\": \"m\", \"text\": \"t\", \"vectr\": [1]}]}", 400, ClusterErrorCodes.InvalidRequest },
        { "text over 128 KiB", "/v1/passages", $"{{\"passages\": [{{\"id\": \"big\", \"text\": \"{new string('t', 128 * 1024 + 1)}\"}}]}}", 400, ClusterErrorCodes.InvalidRequest },
    };

    private static string ManyQueries(int count, int k) =>
        $"{{\"k\": {k}, \"mode\": \"dense\", \"queries\": [" + string.Join(", ", Enumerable.Range(0, count).Select(i => $"\"the river {i}\"")) + "]}";

    [Fact]
    public async Task WithoutTextTheSameHitsFitTheResponseLimit()
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.Gateway.ApiUrl };
        string body = ManyQueries(10, TestCluster.MaxK).Replace("{\"k\"", "{\"include_text\": false, \"k\"");
        using HttpResponseMessage response = await http.PostAsync("/v1/search", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        MultiSearchResponse results = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ApiJsonContext.Default.MultiSearchResponse)!;
        Assert.Equal(10, results.Results.Count);
        Assert.All(results.Results, r => Assert.Equal(TestCluster.MaxK, r.Hits.Count));
        Assert.All(results.Results.SelectMany(r => r.Hits), h => Assert.Equal("", h.Text));

        SearchResponseBody withText = await fixture.Cluster.Client.SearchAsync(new SearchBody { Query = "the river 3", K = TestCluster.MaxK, Mode = "dense" });
        Assert.Equal(results.Results[3].Hits.Select(h => h.Id), withText.Hits.Select(h => h.Id));
        Assert.All(withText.Hits, h => Assert.NotEqual("", h.Text));
    }

    private static string ManyMetadataPairs(int count) =>
        "{\"passages\": [{\"id\": \"meta\", \"text\": \"t\", \"metadata\": {" +
        string.Join(", ", Enumerable.Range(0, count).Select(i => $"\"k{i}\": \"v\"")) + "}}]}";

    [Fact]
    public async Task EveryAcceptedIdIsReachableByGetAndDelete()
    {
        string[] ids = ["it id with spaces", "q?x=1&y=2", "50%", "#hash", "é北京😀", "a+b", "semi;colon", "x..y", "...", "%2F"];
        PassageBody[] passages = [.. ids.Select((id, i) => new PassageBody { Id = id, Title = "Odd id", Text = $"odd identifier {i}" })];
        await fixture.Cluster.Client.UpsertAsync(passages);
        fixture.Reference.Upsert(passages);
        foreach (string id in ids)
        {
            Assert.Equal(id, (await fixture.Cluster.Client.GetAsync(id))?.Id);
            Assert.True(await fixture.Cluster.Client.DeleteAsync(id), id);
            fixture.Reference.Delete(id);
            Assert.Null(await fixture.Cluster.Client.GetAsync(id));
        }
    }

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

    public static TheoryData<string, byte[], string?, string?, int, string> BadBodies => new()
    {
        { "trailing garbage", Utf8("{\"query\": \"a\"} xyz"), "application/json", null, 400, ClusterErrorCodes.InvalidRequest },
        { "two JSON values", Utf8("{\"query\": \"a\"}{\"query\": \"b\"}"), "application/json", null, 400, ClusterErrorCodes.InvalidRequest },
        { "no Content-Type", Utf8("{\"query\": \"a\"}"), null, null, 415, ClusterErrorCodes.UnsupportedMediaType },
        { "text/plain", Utf8("{\"query\": \"a\"}"), "text/plain", null, 415, ClusterErrorCodes.UnsupportedMediaType },
        { "latin-1 charset", Utf8("{\"query\": \"a\"}"), "application/json; charset=iso-8859-1", null, 415, ClusterErrorCodes.UnsupportedMediaType },
        { "unknown Content-Encoding", Utf8("{\"query\": \"a\"}"), "application/json", "compress", 415, ClusterErrorCodes.UnsupportedMediaType },
        { "gzip that is not gzip", Utf8("{\"query\": \"a\"}"), "application/json", "gzip", 400, ClusterErrorCodes.InvalidRequest },
        { "invalid UTF-8", [(byte)'{', (byte)'"', (byte)'q', (byte)'u', (byte)'e', (byte)'r', (byte)'y', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'], "application/json", null, 400, ClusterErrorCodes.InvalidRequest },
        { "gzip bomb", Gzip(new string(' ', TestCluster.MaxBodyBytes * 4) + "{\"query\": \"a\"}"), "application/json", "gzip", 413, ClusterErrorCodes.PayloadTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BodiesThatAreNotExactlyOneJsonValueAreRefused(string name, byte[] body, string? contentType, string? encoding, int status, string code)
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.Gateway.ApiUrl };
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/search") { Content = content };
        using HttpResponseMessage response = await http.SendAsync(request);
        await AssertProblemAsync(response, status, code, name);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task CompressedBodiesAreRead(string encoding)
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.Gateway.ApiUrl };
        byte[] json = Utf8("{\"query\": \"largest hot desert\", \"k\": 1, \"mode\": \"bm25\"}");
        using var content = new ByteArrayContent(encoding switch { "gzip" => Gzip(json), "deflate" => Deflate(json), _ => Brotli(json) });
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        using HttpResponseMessage response = await http.PostAsync("/v1/search", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("sahara", await response.Content.ReadAsStringAsync());
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Gzip(string text) => Gzip(Utf8(text));

    private static byte[] Gzip(byte[] data) => Compress(data, stream => new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionLevel.Fastest));

    private static byte[] Deflate(byte[] data) => Compress(data, stream => new System.IO.Compression.ZLibStream(stream, System.IO.Compression.CompressionLevel.Fastest));

    private static byte[] Brotli(byte[] data) => Compress(data, stream => new System.IO.Compression.BrotliStream(stream, System.IO.Compression.CompressionLevel.Fastest));

    private static byte[] Compress(byte[] data, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (Stream compressing = compressor(output))
        {
            compressing.Write(data);
        }
        return output.ToArray();
    }

    [Fact]
    public async Task OverlongUrlsAndHeadersAreProblemsToo()
    {
        using var http = new HttpClient { BaseAddress = fixture.Cluster.Gateway.ApiUrl };
        await AssertProblemAsync(await http.GetAsync("/v1/passages/" + new string('u', 10_000)), 414, ClusterErrorCodes.InvalidRequest, "long URL");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/cluster");
        request.Headers.Add("X-Padding", new string('h', 20_000));
        await AssertProblemAsync(await http.SendAsync(request), 431, ClusterErrorCodes.InvalidRequest, "large headers");
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

        var records = new ShardRecordBatch([new ShardRecord(1, new EncodedPassage(new Passage("wrong-dim", "", "text"), new float[TestCluster.Dimension - 1]), null)]);
        ClusterException upsertError = await Assert.ThrowsAsync<ClusterException>(() => replica.ReplicateAsync(records, CancellationToken.None));
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
