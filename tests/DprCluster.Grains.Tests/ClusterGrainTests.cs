using DprCluster.Abstractions;
using DprCluster.Core.Hashing;
using DprCluster.Grains.Shard;
using DprCluster.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace DprCluster.Grains.Tests;

/// <summary>The coordinator, shard-replica and encoder grains on a real (in-process) Orleans cluster.</summary>
public sealed class ClusterGrainTests
{
    private static readonly string[] Topics = ["ocean", "mountain", "river", "desert", "forest", "city", "island", "glacier"];
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static Passage[] Corpus(int count)
    {
        var random = new Random(7);
        var passages = new Passage[count];
        for (int i = 0; i < count; i++)
        {
            string a = Topics[random.Next(Topics.Length)];
            string b = Topics[random.Next(Topics.Length)];
            passages[i] = new Passage($"doc-{i}", $"{a} notes", $"the {a} and the {b} number {i % 13} {(i % 3 == 0 ? a : "plain")}");
        }
        return passages;
    }

    [Theory]
    [InlineData(SearchMode.Dense)]
    [InlineData(SearchMode.Bm25)]
    [InlineData(SearchMode.Hybrid)]
    public async Task Four_shards_on_three_silos_return_what_one_unsharded_index_returns(SearchMode mode)
    {
        Passage[] corpus = Corpus(300);
        await using OrleansCluster single = await OrleansCluster.StartAsync(silos: 1, shards: 1, replicas: 1);
        await using OrleansCluster sharded = await OrleansCluster.StartAsync(silos: 3, shards: 4, replicas: 2);
        await single.Coordinator.UpsertAsync(corpus, CancellationToken.None);
        await sharded.Coordinator.UpsertAsync(corpus, CancellationToken.None);

        foreach (string query in new[] { "ocean river", "mountain number 4", "glacier", "desert city forest" })
        {
            // ef ≥ passages makes the graph search exhaustive, so "same ids in the same order" is a fair demand.
            var request = new SearchRequest(query, 10, mode, Ef: 400);
            SearchResponse one = await single.Coordinator.SearchAsync(request, CancellationToken.None);
            SearchResponse four = await sharded.Coordinator.SearchAsync(request, CancellationToken.None);
            Assert.False(four.Partial);
            Assert.Equal(one.Hits.Select(h => h.Id), four.Hits.Select(h => h.Id));
            Assert.Equal(one.Hits.Select(h => h.Score), four.Hits.Select(h => h.Score), (a, b) => Math.Abs(a - b) < 1e-4);
            Assert.All(four.Hits, h => Assert.Equal(PassageIdHash.ShardOf(h.Id, 4), h.Shard));
        }
    }

    [Fact]
    public async Task A_resent_batch_encodes_only_the_passages_that_changed()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 2, shards: 3, replicas: 2);
        Passage[] corpus = Corpus(40);
        UpsertResponse first = await cluster.Coordinator.UpsertAsync(corpus, CancellationToken.None);
        Assert.Equal((40, 40, 0), (first.Upserted, first.Encoded, first.Unchanged));

        Passage[] resent = (Passage[])corpus.Clone();
        resent[3] = resent[3] with { Text = resent[3].Text + " revised" };
        resent[7] = resent[7] with { Metadata = new Dictionary<string, string> { ["lang"] = "en" } };
        UpsertResponse second = await cluster.Coordinator.UpsertAsync(resent, CancellationToken.None);
        Assert.Equal((40, 2, 38), (second.Upserted, second.Encoded, second.Unchanged));
        Assert.EndsWith(" revised", (await cluster.Coordinator.GetAsync(resent[3].Id, CancellationToken.None))!.Text);
        Assert.Equal("en", (await cluster.Coordinator.GetAsync(resent[7].Id, CancellationToken.None))!.Metadata!["lang"]);
    }

    [Fact]
    public async Task Each_replica_activates_on_the_silo_named_for_its_ordinal_and_only_there()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 3, shards: 6, replicas: 2);
        await cluster.Coordinator.UpsertAsync(Corpus(60), CancellationToken.None);
        for (int shard = 0; shard < 6; shard++)
        {
            for (int replica = 0; replica < 2; replica++)
            {
                var key = new ShardReplicaKey(shard, replica);
                IShardReplicaGrain grain = cluster.Grains.GetGrain<IShardReplicaGrain>(key.ToString());
                ShardStats stats = await grain.GetStatsAsync(CancellationToken.None);
                Assert.Equal(shard, stats.ShardId);
                Assert.True(cluster.Cluster.TryGetGrainContext(grain.GetGrainId(), out IGrainContext? context), $"{key} is not active");
                SiloAddress expected = cluster.Silo((shard + replica) % 3).SiloAddress;
                Assert.Equal(expected, context!.Address.SiloAddress);
            }
        }
        // Both replicas of a shard hold the same passages: every write reached both.
        ClusterStatus status = await cluster.Coordinator.GetClusterAsync(CancellationToken.None);
        Assert.Equal(60, status.Shards.Sum(s => s.Replicas[0].Stats!.Passages));
        Assert.All(status.Shards, s => Assert.Equal(s.Replicas[0].Stats!.Passages, s.Replicas[1].Stats!.Passages));
        Assert.Equal(["dpr-0", "dpr-1", "dpr-2"], status.Silos.Select(s => s.Name));
        Assert.All(status.Silos, s => Assert.Equal(["gateway", "shard", "encoder"], s.Roles));
    }

    [Fact]
    public async Task A_replica_whose_silo_is_down_refuses_to_activate_elsewhere_and_searches_fail_over()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 3, shards: 3, replicas: 2);
        Passage[] corpus = Corpus(120);
        await cluster.Coordinator.UpsertAsync(corpus, CancellationToken.None);
        await cluster.Cluster.StopSiloAsync(cluster.Silo(2));

        // Shard 2's replica 0 and shard 1's replica 1 live on silo 2: the coordinator must use their other replicas.
        SearchResponse complete = await cluster.Coordinator.SearchAsync(new SearchRequest("ocean", 50, SearchMode.Bm25), CancellationToken.None);
        Assert.False(complete.Partial);
        Assert.Contains(complete.Hits, h => h.Shard == 2);

        IShardReplicaGrain orphan = cluster.Grains.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(2, 0).ToString());
        ShardReplicaUnavailableException refused = await Poll.UntilAsync("the orphaned replica to be refused", Deadline, async () =>
        {
            try
            {
                await orphan.GetStatsAsync(CancellationToken.None);
                throw new InvalidOperationException("shard-2/replica-0 answered although its silo is down");
            }
            catch (ShardReplicaUnavailableException e)
            {
                return e;
            }
            catch (SiloUnavailableException)
            {
                return null;
            }
        });
        Assert.Equal("dpr-2", refused.Silo);
        Assert.Equal(ClusterErrorCodes.ShardUnavailable, refused.Code);
        Assert.False(cluster.Cluster.TryGetGrainContext(orphan.GetGrainId(), out _));
    }

    [Fact]
    public async Task A_shard_with_no_live_replica_is_reported_partial_and_its_writes_are_refused()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 2, shards: 2, replicas: 1);
        Passage[] corpus = Corpus(80);
        await cluster.Coordinator.UpsertAsync(corpus, CancellationToken.None);
        await cluster.Cluster.StopSiloAsync(cluster.Silo(1));

        SearchResponse partial = await cluster.Coordinator.SearchAsync(new SearchRequest("ocean", 20, SearchMode.Hybrid), CancellationToken.None);
        Assert.True(partial.Partial);
        Assert.Equal([1], partial.FailedShards);
        Assert.NotEmpty(partial.Hits);
        Assert.DoesNotContain(partial.Hits, h => h.Shard == 1);

        Passage onShardOne = corpus.First(p => PassageIdHash.ShardOf(p.Id, 2) == 1);
        var error = await Assert.ThrowsAsync<ClusterException>(() => cluster.Coordinator.UpsertAsync([onShardOne], CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.ShardUnavailable, error.Code);
        Assert.Contains("shard 1: no replica", error.Message);
        Assert.DoesNotContain("()", error.Message);
    }

    [Fact]
    public async Task Writes_reach_every_replica_and_deletes_disappear_everywhere()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 2, shards: 2, replicas: 2);
        ICoordinatorGrain coordinator = cluster.Coordinator;
        await coordinator.UpsertAsync([new Passage("x", "Title", "glacier ice"), new Passage("y", "", "desert sand")], CancellationToken.None);
        int shard = PassageIdHash.ShardOf("x", 2);
        for (int ordinal = 0; ordinal < 2; ordinal++)
        {
            ShardStore store = cluster.Silo(ordinal).ServiceProvider.GetRequiredService<ShardStore>();
            Assert.Equal("glacier ice", (await store.Find(shard)!.GetAsync("x", CancellationToken.None))!.Text);
            Assert.Null(await store.Find(1 - shard)!.GetAsync("x", CancellationToken.None));
        }
        Assert.Equal("Title", (await coordinator.GetAsync("x", CancellationToken.None))!.Title);
        Assert.True(await coordinator.DeleteAsync("x", CancellationToken.None));
        Assert.False(await coordinator.DeleteAsync("x", CancellationToken.None));
        for (int i = 0; i < 4; i++)
        {
            SearchResponse response = await coordinator.SearchAsync(new SearchRequest("glacier ice", 5, SearchMode.Hybrid), CancellationToken.None);
            Assert.DoesNotContain(response.Hits, h => h.Id == "x");
        }
        ClusterStatus status = await coordinator.GetClusterAsync(CancellationToken.None);
        Assert.Equal(1, status.Shards.Sum(s => s.Replicas[0].Stats!.Passages));
        Assert.All(status.Shards, s => Assert.Equal(s.Replicas[0].Stats!.Passages, s.Replicas[1].Stats!.Passages));
    }

    [Fact]
    public async Task Bad_requests_are_rejected_with_invalid_request_across_the_grain_boundary()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 1, shards: 2, replicas: 1);
        ICoordinatorGrain coordinator = cluster.Grains.GetGrain<ICoordinatorGrain>(0);
        async Task Rejected(Func<Task> action) =>
            Assert.Equal(ClusterErrorCodes.InvalidRequest, (await Assert.ThrowsAsync<ClusterException>(action)).Code);
        await Rejected(() => coordinator.SearchAsync(new SearchRequest("  "), CancellationToken.None));
        await Rejected(() => coordinator.SearchAsync(new SearchRequest("q", 0), CancellationToken.None));
        await Rejected(() => coordinator.SearchAsync(new SearchRequest("q", 1001), CancellationToken.None));
        await Rejected(() => coordinator.SearchAsync(new SearchRequest("q", 5, (SearchMode)9), CancellationToken.None));
        await Rejected(() => coordinator.UpsertAsync([], CancellationToken.None));
        await Rejected(() => coordinator.UpsertAsync([new Passage("a", "", "x"), new Passage("a", "", "y")], CancellationToken.None));
        await Rejected(() => coordinator.UpsertAsync([new Passage("", "", "x")], CancellationToken.None));
        await Rejected(() => coordinator.DeleteAsync("", CancellationToken.None));
        string idOfShard0 = Enumerable.Range(0, 100).Select(i => $"v{i}").First(id => PassageIdHash.ShardOf(id, 2) == 0);
        var wrongDimension = new EncodedPassage(new Passage(idOfShard0, "", "t"), new float[3]);
        IShardWriterGrain writer = cluster.Grains.GetGrain<IShardWriterGrain>(0);
        Assert.Equal(ClusterErrorCodes.DimensionMismatch,
            (await Assert.ThrowsAsync<ClusterException>(() => writer.UpsertAsync(new ShardUpsertRequest([wrongDimension]), CancellationToken.None))).Code);
        IShardReplicaGrain replica = cluster.Grains.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(0, 0).ToString());
        Assert.Equal(ClusterErrorCodes.DimensionMismatch, (await Assert.ThrowsAsync<ClusterException>(() =>
            replica.ReplicateAsync(new ShardRecordBatch([new ShardRecord(1, wrongDimension, null)]), CancellationToken.None))).Code);
        var misrouted = new EncodedPassage(wrongDimension.Passage, new float[32]);
        await Rejected(() => cluster.Grains.GetGrain<IShardWriterGrain>(1).UpsertAsync(new ShardUpsertRequest([misrouted]), CancellationToken.None));
        IShardReplicaGrain foreign = cluster.Grains.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(7, 0).ToString());
        await Rejected(() => foreign.GetStatsAsync(CancellationToken.None));
        Assert.Empty((await coordinator.SearchAsync(new SearchRequest("the and of", 5, SearchMode.Bm25), CancellationToken.None)).Hits);
    }
}
