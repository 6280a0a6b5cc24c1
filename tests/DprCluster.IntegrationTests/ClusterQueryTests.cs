using DprCluster.Index.Storage;
using System.Text.Json;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;

using DprCluster.Testing;

namespace DprCluster.IntegrationTests;

/// <summary>
/// Searches, online updates and failover against real silo processes (1 gateway, 3 shard silos with R = 2, 1 encoder
/// silo): sharded answers equal one unsharded index; writes are visible to the next search; deletes never come back;
/// with one shard silo down answers stay complete, with both replicas of a shard down they are partial.
/// </summary>
[Collection(QueryClusterCollection.Name)]
public sealed class ClusterQueryTests(QueryClusterFixture fixture)
{
    // Beam widths beyond a shard's passage count make HNSW visit every passage: exact search.
    private const int ExactEf = 1000;
    private const int K = 10;

    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task DenseSearchEqualsOneUnshardedIndexInExactMode()
    {
        foreach (string question in QueryClusterFixture.Questions)
        {
            SearchResponseBody response = await Cluster.Client.SearchAsync(new SearchBody { Query = question, K = K, Ef = ExactEf });
            Assert.False(response.Partial);
            RankingAssert.Equal(fixture.Reference.Dense(question, K), response.Hits, question);
        }
    }

    [Fact]
    public async Task Bm25SearchEqualsOneUnshardedIndex()
    {
        foreach (string question in QueryClusterFixture.Questions)
        {
            SearchResponseBody response = await Cluster.Client.SearchAsync(new SearchBody { Query = question, K = K, Mode = "bm25" });
            RankingAssert.Equal(fixture.Reference.Bm25(question, K), response.Hits, question);
        }
    }

    [Fact]
    public async Task SeveralQuestionsInOneCallAnswerEachAsItsOwnSearchWould()
    {
        string[] questions = ["Where is the Eiffel Tower?", "fastest land animal", "Who painted the Mona Lisa?"];
        MultiSearchResponse many = await Cluster.Client.SearchManyAsync(new SearchBody { Queries = questions, K = 5, Mode = "bm25" });
        Assert.Equal(questions.Length, many.Results.Count);
        for (int i = 0; i < questions.Length; i++)
        {
            SearchResponseBody one = await Cluster.Client.SearchAsync(new SearchBody { Query = questions[i], K = 5, Mode = "bm25" });
            Assert.Equal(one.Hits.Select(h => h.Id), many.Results[i].Hits.Select(h => h.Id));
        }
    }

    [Fact]
    public async Task HitsNameTheShardThatOwnsThem()
    {
        SearchResponseBody response = await Cluster.Client.SearchAsync(new SearchBody { Query = "volcano eruption", K = 20, Mode = "hybrid" });
        Assert.NotEmpty(response.Hits);
        foreach (HitBody hit in response.Hits)
        {
            Assert.Equal(Cluster.Placement.ShardOf(hit.Id), hit.Shard);
        }
    }

    [Fact]
    public async Task UpsertIsVisibleToTheNextSearchAndReplacesTheOldVersion()
    {
        var first = new PassageBody { Id = "it-upsert", Title = "Quokka", Text = "The quokka is a small wallaby living on Rottnest Island." };
        await Cluster.Client.UpsertAsync([first]);
        fixture.Reference.Upsert([first]);
        SearchResponseBody found = await Cluster.Client.SearchAsync(new SearchBody { Query = "quokka wallaby Rottnest", K = 1, Mode = "bm25" });
        Assert.Equal("it-upsert", Assert.Single(found.Hits).Id);

        var second = first with { Title = "Axolotl", Text = "The axolotl is a salamander that keeps its gills as an adult." };
        await Cluster.Client.UpsertAsync([second]);
        fixture.Reference.Upsert([second]);
        Assert.Equal(second.Text, (await Cluster.Client.GetAsync("it-upsert"))!.Text);
        SearchResponseBody replaced = await Cluster.Client.SearchAsync(new SearchBody { Query = "axolotl salamander gills", K = 1, Mode = "bm25" });
        Assert.Equal("it-upsert", Assert.Single(replaced.Hits).Id);
        SearchResponseBody old = await Cluster.Client.SearchAsync(new SearchBody { Query = "quokka wallaby Rottnest", K = 5, Mode = "bm25" });
        Assert.DoesNotContain(old.Hits, h => h.Id == "it-upsert");
    }

    [Fact]
    public async Task IngestUploadsAFileAndAResentFileEncodesNothingAgain()
    {
        string file = Path.Combine(Path.GetTempPath(), $"dprcluster-ingest-{Guid.NewGuid():N}.jsonl");
        List<PassageBody> passages = Enumerable.Range(0, 40).Select(i => new PassageBody
        {
            Id = $"it-ingest-{i}",
            Title = $"Tide pool {i}",
            Text = $"Tide pool {i} holds kelp, anemones and {new string('s', 1 + i % 9)}nails among the rocks.",
        }).ToList();
        File.WriteAllLines(file, passages.Select(p => JsonSerializer.Serialize(p, ApiJsonContext.Default.PassageBody)));
        try
        {
            (int code, string output) = await IngestAsync(file, TestCluster.ApiKey);
            Assert.True(code == 0, output);
            fixture.Reference.Upsert(passages);
            Assert.Contains("40 encoded, 0 already stored", output);
            Assert.Contains("passages/s", output);

            (code, output) = await IngestAsync(file, TestCluster.ApiKey);
            Assert.True(code == 0, output);
            Assert.Contains("0 encoded, 40 already stored", output);

            (code, output) = await IngestAsync(file, "not-the-key");
            Assert.Equal(1, code);
            Assert.Contains("error:", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task IngestWithPrecomputedVectorsStoresThemWithoutTheEncoderAndChecksTheRowCount()
    {
        string file = Path.Combine(Path.GetTempPath(), $"dprcluster-import-{Guid.NewGuid():N}.jsonl");
        string vectors = Path.ChangeExtension(file, ".fvecs");
        List<PassageBody> passages = Enumerable.Range(0, 30).Select(i => new PassageBody
        {
            Id = $"it-import-{i}",
            Title = $"Imported {i}",
            Text = $"Imported passage {i} about lighthouses and {new string('r', 1 + i % 5)}eefs.",
        }).ToList();
        File.WriteAllLines(file, passages.Select(p => JsonSerializer.Serialize(p, ApiJsonContext.Default.PassageBody)));
        float[] values = [.. Enumerable.Range(0, 30 * TestCluster.Dimension).Select(i => MathF.Cos(i))];
        try
        {
            using (FileStream stream = File.Create(vectors))
            {
                VectorFiles.Write<float>(stream, TestCluster.Dimension, values);
            }
            (int code, string output) = await IngestAsync(file, TestCluster.ApiKey, "--vectors", vectors);
            Assert.True(code == 0, output);
            Assert.Contains("30 distinct ids; 0 encoded, 0 already stored", output);
            foreach (PassageBody passage in passages)
            {
                Assert.Equal(passage.Text, (await Cluster.Client.GetAsync(passage.Id!))?.Text);
            }
            // Resumed: nothing is sent twice to the shards.
            (code, output) = await IngestAsync(file, TestCluster.ApiKey, "--vectors", vectors);
            Assert.True(code == 0, output);
            Assert.Contains("0 encoded, 30 already stored", output);

            File.AppendAllLines(file, [JsonSerializer.Serialize(new PassageBody { Id = "it-import-extra", Text = "one too many" }, ApiJsonContext.Default.PassageBody)]);
            (code, output) = await IngestAsync(file, TestCluster.ApiKey, "--vectors", vectors);
            Assert.Equal(1, code);
            Assert.Contains("the vector file ends before passage 'it-import-extra'", output);
        }
        finally
        {
            foreach (PassageBody passage in passages)
            {
                await Cluster.Client.DeleteAsync(passage.Id!);
            }
            File.Delete(file);
            File.Delete(vectors);
        }
    }

    private async Task<(int Code, string Output)> IngestAsync(string file, string apiKey, params string[] extra)
    {
        using var process = new ChildProcess("ingest", RepositoryPaths.DotnetHost,
            [RepositoryPaths.CliAssembly, "ingest", file, "--url", Cluster.Gateway.ApiUrl.ToString(), "--api-key", apiKey, .. extra]);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, process.Output);
    }

    [Fact]
    public async Task DeletedIdsNeverComeBack()
    {
        string[] deleted = ["mount-everest", "k2", "kilimanjaro"];
        foreach (string id in deleted)
        {
            Assert.True(await Cluster.Client.DeleteAsync(id));
            fixture.Reference.Delete(id);
            Assert.Null(await Cluster.Client.GetAsync(id));
            Assert.False(await Cluster.Client.DeleteAsync(id));
        }
        foreach (string mode in (string[])["dense", "bm25", "hybrid"])
        {
            foreach (string question in (string[])["highest mountain", "Mount Everest", "K2 Pakistan China", "Kilimanjaro Tanzania volcano"])
            {
                SearchResponseBody response = await Cluster.Client.SearchAsync(new SearchBody { Query = question, K = MaxK, Mode = mode, Ef = ExactEf });
                Assert.DoesNotContain(response.Hits, h => deleted.Contains(h.Id));
            }
        }
    }

    [Fact]
    public async Task OneShardSiloDownStillAnswersCompletelyFromReplicas()
    {
        var before = new List<SearchResponseBody>();
        foreach (string question in QueryClusterFixture.Questions)
        {
            before.Add(await Cluster.Client.SearchAsync(new SearchBody { Query = question, K = K, Ef = ExactEf }));
        }
        try
        {
            Cluster.ShardSilos[2].Kill();
            for (int i = 0; i < QueryClusterFixture.Questions.Count; i++)
            {
                SearchResponseBody after = await Cluster.Client.SearchAsync(new SearchBody { Query = QueryClusterFixture.Questions[i], K = K, Ef = ExactEf });
                Assert.False(after.Partial);
                Assert.Empty(after.FailedShards);
                Assert.Equal(before[i].Hits.Select(h => h.Id), after.Hits.Select(h => h.Id));
            }
            Assert.NotNull(await Cluster.Client.GetAsync("sahara"));
        }
        finally
        {
            await Cluster.HealAsync();
        }
    }

    [Fact]
    public async Task BothReplicasOfAShardDownMakesTheAnswerPartialAndNamesTheShard()
    {
        int[] lost = [.. Enumerable.Range(0, TestCluster.ShardCount)
            .Where(s => Cluster.Placement.SilosOf(s).All(silo => silo is 1 or 2))];
        Assert.NotEmpty(lost);
        try
        {
            Cluster.ShardSilos[1].Kill();
            Cluster.ShardSilos[2].Kill();
            // Until membership declares them dead, a lookup routed through their directory partitions can fail too, and
            // more shards may be reported; once it has, exactly the lost shards must be.
            await Poll.UntilAsync("membership to declare shard-1 and shard-2 dead", TimeSpan.FromSeconds(60), async () =>
                (await Cluster.Client.GetClusterAsync()).Silos.All(s => s.Name is not ("shard-1" or "shard-2")));
            foreach (string mode in (string[])["dense", "bm25", "hybrid"])
            {
                SearchResponseBody response = await Cluster.Client.SearchAsync(new SearchBody { Query = "ancient wonders", K = K, Mode = mode });
                Assert.True(response.Partial, mode);
                Assert.Equal(lost, response.FailedShards);
                Assert.DoesNotContain(response.Hits, h => lost.Contains(h.Shard));
            }
            string lostId = fixture.Reference.Passages.First(p => lost.Contains(Cluster.Placement.ShardOf(p.Id!))).Id!;
            ClusterApiException error = await Assert.ThrowsAsync<ClusterApiException>(() => Cluster.Client.GetAsync(lostId));
            Assert.Equal(503, error.Status);
            Assert.Equal(ClusterErrorCodes.ShardUnavailable, error.Code);
        }
        finally
        {
            await Cluster.HealAsync();
        }
        SearchResponseBody healed = await Cluster.Client.SearchAsync(new SearchBody { Query = "ancient wonders", K = K });
        Assert.False(healed.Partial);
    }

    [Fact]
    public async Task OpenApiDocumentDescribesEveryRoute()
    {
        using var http = new HttpClient { BaseAddress = Cluster.Gateway.ApiUrl };
        using JsonDocument document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        JsonElement paths = document.RootElement.GetProperty("paths");
        foreach (string path in (string[])["/v1/search", "/v1/passages", "/v1/passages/{id}", "/v1/cluster", "/healthz", "/readyz"])
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the OpenAPI document lacks {path}");
        }
        JsonElement schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("SearchBody").GetProperty("properties").TryGetProperty("query", out _));
        Assert.True(schemas.GetProperty("ProblemDocument").GetProperty("properties").TryGetProperty("code", out _));
    }

    [Fact]
    public async Task EverySiloIsAliveAndReady()
    {
        using var http = new HttpClient();
        foreach (SiloProcess silo in (SiloProcess[])[.. Cluster.ShardSilos, Cluster.Encoder, Cluster.Gateway])
        {
            using HttpResponseMessage alive = await http.GetAsync(new Uri(silo.ApiUrl, "/healthz"));
            Assert.Equal(System.Net.HttpStatusCode.OK, alive.StatusCode);
            Assert.True(await Cluster.IsReadyAsync(silo), silo.Name);
        }
        ClusterBody status = await Cluster.Client.GetClusterAsync();
        Assert.Equal(TestCluster.ShardCount, status.ShardCount);
        Assert.Equal(TestCluster.Replication, status.ReplicationFactor);
        Assert.All(status.Shards, shard => Assert.Equal(TestCluster.Replication, shard.Replicas.Count(r => r.Stats?.State == ShardState.Serving)));
    }

    private const int MaxK = TestCluster.MaxK;
}
