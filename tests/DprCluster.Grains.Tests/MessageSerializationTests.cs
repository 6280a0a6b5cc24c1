using DprCluster.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace DprCluster.Grains.Tests;

/// <summary>Every grain message and error survives Orleans' serializer with its values (and exceptions their codes).</summary>
public sealed class MessageSerializationTests : IAsyncLifetime
{
    private OrleansCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await OrleansCluster.StartAsync(silos: 1, shards: 1, replicas: 1);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private T RoundTrip<T>(T value)
    {
        Serializer serializer = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<Serializer>();
        return serializer.Deserialize<T>(serializer.SerializeToArray(value))!;
    }

    [Fact]
    public void Search_messages_round_trip()
    {
        var metadata = new Dictionary<string, string> { ["lang"] = "en" };
        var request = new ShardSearchRequest([0.5f, -1f], new QueryTerms(["ocean", "deep"], [2, 1]),
            new CollectionStatistics(10, 99, new Dictionary<string, long> { ["ocean"] = 3 }), 7, 64);
        ShardSearchRequest copy = RoundTrip(request);
        Assert.Equal(request.Vector, copy.Vector);
        Assert.Equal(request.Terms!.Terms, copy.Terms!.Terms);
        Assert.Equal(request.Terms.Counts, copy.Terms.Counts);
        Assert.Equal(3, copy.Statistics!.DocumentFrequencies["ocean"]);
        Assert.Equal((7, 64), (copy.K, copy.Ef));

        var response = new SearchResponse([new PassageHit("p", 0.25f, "T", "text", 3, metadata)], 1.5, new StageTimings(1, 2, 3, 4), true, [2],
            [new ShardCallTiming(0, 1, "silo-a", 2.5)]);
        SearchResponse back = RoundTrip(response);
        Assert.Equal("en", back.Hits[0].Metadata!["lang"]);
        Assert.Equal((0.25f, 3), (back.Hits[0].Score, back.Hits[0].Shard));
        Assert.Equal(response.Timings, back.Timings);
        Assert.Equal([2], back.FailedShards);
        Assert.Equal(response.ShardTimings[0], Assert.Single(back.ShardTimings));
        Assert.Equal(new SearchRequest("q", 5, SearchMode.Hybrid, 99, FusionMethod.Linear), RoundTrip(new SearchRequest("q", 5, SearchMode.Hybrid, 99, FusionMethod.Linear)));
    }

    [Fact]
    public void Write_and_cluster_messages_round_trip()
    {
        var upsert = new ShardUpsertRequest([new EncodedPassage(new Passage("a", "t", "x", new Dictionary<string, string> { ["k"] = "v" }), [1f, 2f])]);
        ShardUpsertRequest copy = RoundTrip(upsert);
        Assert.Equal(upsert.Passages[0].Passage.Id, copy.Passages[0].Passage.Id);
        Assert.Equal("v", copy.Passages[0].Passage.Metadata!["k"]);
        Assert.Equal([1f, 2f], copy.Passages[0].Vector);
        Assert.Equal(new ShardWriteResponse(1, 42, 3), RoundTrip(new ShardWriteResponse(1, 42, 3)));

        var stats = new ShardStats(1, ShardState.Failed, 5, 1, 9, 4, 100, "bad crc at offset 12", 0.9);
        var status = new ClusterStatus(2, 1, 32, [new SiloSummary("dpr-0", "S127.0.0.1:1:2", "active", ["shard"], false)],
            [new ShardStatus(1, [new ReplicaStatus(0, "dpr-0", true, stats, stats.Error)])]);
        ClusterStatus back = RoundTrip(status);
        Assert.Equal(stats, back.Shards[0].Replicas[0].Stats);
        Assert.Equal(["shard"], back.Silos[0].Roles);
    }

    [Fact]
    public void Errors_keep_their_type_code_and_message()
    {
        ClusterException error = RoundTrip(new ClusterException(ClusterErrorCodes.DimensionMismatch, "3 is not 32"));
        Assert.Equal((ClusterErrorCodes.DimensionMismatch, "3 is not 32"), (error.Code, error.Message));
        var unavailable = Assert.IsType<ShardReplicaUnavailableException>(
            RoundTrip<Exception>(new ShardReplicaUnavailableException("shard-1/replica-0", "dpr-1")));
        Assert.Equal(("shard-1/replica-0", "dpr-1", ClusterErrorCodes.ShardUnavailable), (unavailable.ReplicaKey, unavailable.Silo, unavailable.Code));
    }
}
