using DprCluster.Grains.Contracts;

namespace DprCluster.Silo.Tests;

/// <summary>
/// Cluster behaviours that must not depend on the transport, run against direct calls and against h2c + protobuf:
/// writes visible to the next search, deletes final, the same ranking, and the cluster view.
/// </summary>
public sealed class TransportParityTests(InProcessClusters clusters) : IClassFixture<InProcessClusters>
{
    private static readonly Passage[] Landmarks =
    [
        new("eiffel", "Eiffel Tower", "The Eiffel Tower is a wrought-iron lattice tower in Paris, completed in 1889."),
        new("wall", "Great Wall of China", "The Great Wall of China is a series of fortifications built across northern China."),
        new("liberty", "Statue of Liberty", "The Statue of Liberty is a copper statue on Liberty Island in New York Harbor."),
        new("colosseum", "Colosseum", "The Colosseum is an ancient oval amphitheatre in the centre of Rome, Italy."),
        new("taj", "Taj Mahal", "The Taj Mahal is an ivory-white marble mausoleum on the bank of the Yamuna river in Agra."),
        new("everest", "Mount Everest", "Mount Everest is Earth's highest mountain above sea level."),
        new("amazon", "Amazon River", "The Amazon River in South America is the largest river by discharge volume of water."),
        new("sahara", "Sahara", "The Sahara is a desert on the African continent and the largest hot desert in the world.",
            new Dictionary<string, string> { ["continent"] = "Africa" }),
    ];

    public static TheoryData<string> Transports => ["direct", "h2c"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task UpsertIsVisibleToTheNextSearchAndGet(string transport)
    {
        ICoordinatorGrain coordinator = clusters.Host(transport).Coordinator!;
        await coordinator.UpsertAsync(Landmarks, CancellationToken.None);

        SearchResponse response = await coordinator.SearchAsync(new SearchRequest("largest hot desert Africa", 1, SearchMode.Bm25), CancellationToken.None);
        PassageHit hit = Assert.Single(response.Hits);
        Assert.Equal("sahara", hit.Id);
        Assert.Equal("Africa", hit.Metadata!["continent"]);
        Assert.Equal("Africa", (await coordinator.GetAsync("sahara", CancellationToken.None))!.Metadata!["continent"]);

        await coordinator.UpsertAsync([new Passage("sahara", "Sahara", "Renamed: the Sahara spans eleven countries.")], CancellationToken.None);
        Assert.StartsWith("Renamed", (await coordinator.GetAsync("sahara", CancellationToken.None))!.Text);
        await coordinator.UpsertAsync([Landmarks[^1]], CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task DeletedPassageNeverComesBack(string transport)
    {
        ICoordinatorGrain coordinator = clusters.Host(transport).Coordinator!;
        var doomed = new Passage($"doomed-{transport}", "Doomed", "A unique passage about zanzibar spice markets.");
        await coordinator.UpsertAsync([doomed], CancellationToken.None);
        Assert.True(await coordinator.DeleteAsync(doomed.Id, CancellationToken.None));
        Assert.False(await coordinator.DeleteAsync(doomed.Id, CancellationToken.None));
        Assert.Null(await coordinator.GetAsync(doomed.Id, CancellationToken.None));
        foreach (SearchMode mode in (SearchMode[])[SearchMode.Dense, SearchMode.Bm25, SearchMode.Hybrid])
        {
            SearchResponse response = await coordinator.SearchAsync(new SearchRequest("zanzibar spice markets", 50, mode, 500), CancellationToken.None);
            Assert.DoesNotContain(response.Hits, h => h.Id == doomed.Id);
        }
    }

    [Fact]
    public async Task BothTransportsRankIdentically()
    {
        foreach (string transport in (string[])["direct", "h2c"])
        {
            await clusters.Host(transport).Coordinator!.UpsertAsync(Landmarks, CancellationToken.None);
        }
        foreach (string question in (string[])["tallest mountain", "tower in Paris", "river with the most water", "marble tomb"])
        {
            foreach (SearchMode mode in (SearchMode[])[SearchMode.Dense, SearchMode.Bm25, SearchMode.Hybrid])
            {
                var request = new SearchRequest(question, 5, mode, 500);
                SearchResponse direct = await clusters.Direct.Coordinator!.SearchAsync(request, CancellationToken.None);
                SearchResponse remote = await clusters.Gateway.Coordinator!.SearchAsync(request, CancellationToken.None);
                Assert.Equal(direct.Hits.Select(h => (h.Id, h.Shard)), remote.Hits.Select(h => (h.Id, h.Shard)));
                Assert.Equal(direct.Hits.Select(h => h.Score), remote.Hits.Select(h => h.Score));
                Assert.False(remote.Partial);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ClusterViewShowsEveryReplicaServing(string transport)
    {
        ClusterStatus status = await clusters.Host(transport).Coordinator!.GetClusterAsync(CancellationToken.None);
        Assert.Equal(4, status.ShardCount);
        Assert.Equal(32, status.EncoderDimension);
        Assert.Equal(4, status.Shards.Count);
        int replicas = transport == "direct" ? 1 : 2;
        Assert.All(status.Shards, shard =>
        {
            Assert.Equal(replicas, shard.Replicas.Count);
            Assert.All(shard.Replicas, replica =>
            {
                Assert.True(replica.Reachable);
                Assert.Equal(ShardState.Serving, replica.Stats!.State);
            });
        });
    }
}
