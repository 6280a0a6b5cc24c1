using DprCluster.Grains.Contracts;
using DprCluster.Grains.Coordinator;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Shard;
using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Tests;

public sealed class CoordinatorGrainTests : IAsyncLifetime
{
    private static readonly string[] Topics = ["ocean", "mountain", "river", "desert", "forest", "city", "island", "glacier"];
    private readonly TestDirectory _dir = new();
    private readonly List<ShardGrain> _grains = [];
    private readonly HashingEncoderGrain _encoder = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (ShardGrain grain in _grains)
        {
            await grain.DisposeAsync();
        }
        _dir.Dispose();
    }

    private async Task<CoordinatorGrain> ClusterAsync(string name, int shards, int replicas, Func<int, int, IShardGrain?>? replace = null,
        CoordinatorOptions? options = null)
    {
        var placement = new ShardPlacement(shards, replicas, replicas);
        var lists = new IReadOnlyList<ShardReplica>[shards];
        for (int s = 0; s < shards; s++)
        {
            var list = new List<ShardReplica>();
            for (int r = 0; r < replicas; r++)
            {
                IShardGrain? grain = replace?.Invoke(s, r);
                if (grain is null)
                {
                    var shard = new ShardGrain(s, new ShardOptions(Path.Combine(_dir.Path, $"{name}-r{r}"), _encoder.Dimension) { EfSearch = 500 });
                    await shard.StartAsync();
                    _grains.Add(shard);
                    grain = shard;
                }
                list.Add(new ShardReplica($"silo-{r}", grain));
            }
            lists[s] = list;
        }
        return new CoordinatorGrain(new LocalGrainDirectory(placement, lists, _encoder, []), options);
    }

    private static List<Passage> Corpus(int count)
    {
        var random = new Random(7);
        var passages = new List<Passage>();
        for (int i = 0; i < count; i++)
        {
            string a = Topics[random.Next(Topics.Length)];
            string b = Topics[random.Next(Topics.Length)];
            passages.Add(new Passage($"doc-{i}", $"{a} notes", $"the {a} and the {b} number {i % 13} {(i % 3 == 0 ? a : "plain")}"));
        }
        return passages;
    }

    [Theory]
    [InlineData(SearchMode.Dense)]
    [InlineData(SearchMode.Bm25)]
    [InlineData(SearchMode.Hybrid)]
    public async Task Four_shards_return_what_one_unsharded_index_returns(SearchMode mode)
    {
        List<Passage> corpus = Corpus(300);
        CoordinatorGrain single = await ClusterAsync("single", 1, 1);
        CoordinatorGrain sharded = await ClusterAsync("sharded", 4, 2);
        await single.UpsertAsync(corpus, CancellationToken.None);
        await sharded.UpsertAsync(corpus, CancellationToken.None);

        foreach (string query in new[] { "ocean river", "mountain number 4", "glacier", "desert city forest" })
        {
            // ef ≥ passages makes the graph search exhaustive, so "same ids in the same order" is a fair demand.
            var request = new SearchRequest(query, 10, mode, Ef: 400);
            SearchResponse one = await single.SearchAsync(request, CancellationToken.None);
            SearchResponse four = await sharded.SearchAsync(request, CancellationToken.None);
            Assert.False(four.Partial);
            Assert.Equal(one.Hits.Select(h => h.Id), four.Hits.Select(h => h.Id));
            Assert.Equal(one.Hits.Select(h => h.Score), four.Hits.Select(h => h.Score), (a, b) => Math.Abs(a - b) < 1e-4);
            Assert.All(four.Hits, h => Assert.Equal(StableHash.ShardOf(h.Id, 4), h.Shard));
        }
    }

    [Fact]
    public async Task A_dead_replica_is_skipped_and_a_shard_with_none_is_reported_partial()
    {
        List<Passage> corpus = Corpus(120);
        var dead = new UnreachableShard();
        CoordinatorGrain cluster = await ClusterAsync("failover", 3, 2, (s, r) => s == 1 && r == 0 ? dead : null,
            new CoordinatorOptions { WriteQuorum = 1 });
        await cluster.UpsertAsync(corpus, CancellationToken.None);
        SearchResponse complete = await cluster.SearchAsync(new SearchRequest("ocean", 20, SearchMode.Bm25), CancellationToken.None);
        Assert.False(complete.Partial);
        Assert.Contains(complete.Hits, h => h.Shard == 1);

        CoordinatorGrain broken = await ClusterAsync("broken", 3, 2, (s, _) => s == 2 ? dead : null);
        await broken.UpsertAsync(corpus.Where(p => StableHash.ShardOf(p.Id, 3) != 2).ToList(), CancellationToken.None);
        SearchResponse partial = await broken.SearchAsync(new SearchRequest("ocean", 20, SearchMode.Hybrid), CancellationToken.None);
        Assert.True(partial.Partial);
        Assert.Equal([2], partial.FailedShards);
        Assert.NotEmpty(partial.Hits);
        Assert.DoesNotContain(partial.Hits, h => h.Shard == 2);

        var error = await Assert.ThrowsAsync<ClusterException>(() => broken.UpsertAsync(corpus, CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.ShardUnavailable, error.Code);
    }

    [Fact]
    public async Task Writes_reach_every_replica_and_deletes_disappear_everywhere()
    {
        CoordinatorGrain cluster = await ClusterAsync("writes", 2, 2);
        await cluster.UpsertAsync([new Passage("x", "Title", "glacier ice"), new Passage("y", "", "desert sand")], CancellationToken.None);
        foreach (ShardGrain grain in _grains)
        {
            Passage? stored = await grain.GetAsync("x", CancellationToken.None);
            Assert.Equal(grain.ShardId == StableHash.ShardOf("x", 2), stored is not null);
        }
        Assert.Equal("Title", (await cluster.GetAsync("x", CancellationToken.None))!.Title);
        Assert.True(await cluster.DeleteAsync("x", CancellationToken.None));
        Assert.False(await cluster.DeleteAsync("x", CancellationToken.None));
        for (int i = 0; i < 4; i++)
        {
            SearchResponse response = await cluster.SearchAsync(new SearchRequest("glacier ice", 5, SearchMode.Hybrid), CancellationToken.None);
            Assert.DoesNotContain(response.Hits, h => h.Id == "x");
        }
        ClusterStatus status = await cluster.GetClusterAsync(CancellationToken.None);
        Assert.Equal(1, status.Shards.Sum(s => s.Replicas[0].Stats!.Passages));
        Assert.All(status.Shards, s => Assert.Equal(s.Replicas[0].Stats!.Passages, s.Replicas[1].Stats!.Passages));
    }

    [Fact]
    public async Task Bad_requests_are_rejected_with_invalid_request()
    {
        CoordinatorGrain cluster = await ClusterAsync("bad", 2, 1);
        async Task Rejected(Func<Task> action) =>
            Assert.Equal(ClusterErrorCodes.InvalidRequest, (await Assert.ThrowsAsync<ClusterException>(action)).Code);
        await Rejected(() => cluster.SearchAsync(new SearchRequest("  "), CancellationToken.None));
        await Rejected(() => cluster.SearchAsync(new SearchRequest("q", 0), CancellationToken.None));
        await Rejected(() => cluster.SearchAsync(new SearchRequest("q", 1001), CancellationToken.None));
        await Rejected(() => cluster.SearchAsync(new SearchRequest("q", 5, (SearchMode)9), CancellationToken.None));
        await Rejected(() => cluster.UpsertAsync([], CancellationToken.None));
        await Rejected(() => cluster.UpsertAsync([new Passage("a", "", "x"), new Passage("a", "", "y")], CancellationToken.None));
        await Rejected(() => cluster.UpsertAsync([new Passage("", "", "x")], CancellationToken.None));
        await Rejected(() => cluster.DeleteAsync("", CancellationToken.None));
        Assert.Empty((await cluster.SearchAsync(new SearchRequest("the and of", 5, SearchMode.Bm25), CancellationToken.None)).Hits);
    }

    /// <summary>A replica whose silo is down: every call fails the way a refused connection does.</summary>
    private sealed class UnreachableShard : IShardGrain
    {
        public int ShardId => -1;

        private static Task<T> Fail<T>() => Task.FromException<T>(new HttpRequestException("connection refused"));

        public Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken) => Fail<ShardSearchResponse>();

        public Task<Bm25Statistics> GetStatisticsAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken) => Fail<Bm25Statistics>();

        public Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken) => Fail<ShardWriteResponse>();

        public Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken) => Fail<ShardWriteResponse>();

        public Task<Passage?> GetAsync(string id, CancellationToken cancellationToken) => Fail<Passage?>();

        public Task<ShardStats> GetStatsAsync(CancellationToken cancellationToken) => Fail<ShardStats>();
    }
}
