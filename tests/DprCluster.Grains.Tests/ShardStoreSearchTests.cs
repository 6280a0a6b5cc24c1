using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Shard;
using DprCluster.Testing;

namespace DprCluster.Grains.Tests;

public class ShardStoreSearchTests
{
    private static readonly HashingEncoder Encoder = new();

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task A_silo_wide_search_answers_each_held_shard_and_reports_each_failure_on_its_own(int searchThreads)
    {
        using var dir = new TestDirectory();
        // 4 shards on 2 silos: this store (silo 0) holds shards 0 and 2.
        var placement = new ShardPlacement(shardCount: 4, siloCount: 2, replicationFactor: 1);
        await using var store = new ShardStore(placement, 0, new ShardOptions(dir.Path, Encoder.Dimension) { SearchThreads = searchThreads });
        await store.StartAsync(CancellationToken.None);
        await store.Recovery;
        foreach (int shard in new[] { 0, 2 })
        {
            string text = $"only shard {shard} holds this passage";
            await store.Find(shard)!.UpsertAsync(new ShardUpsertRequest([new EncodedPassage(new Passage($"s{shard}", "", text), Encoder.Encode(text))]),
                CancellationToken.None);
        }

        var request = new ShardSearchRequest(Encoder.Encode("only shard 2 holds this passage"), null, null, 5);
        ShardSearchOutcome[] outcomes = await store.SearchAsync([2, 1, 0], request, CancellationToken.None);
        Assert.Equal(3, outcomes.Length);
        Assert.Equal(("s2", 2), (outcomes[0].Response!.Dense[0].Id, outcomes[0].Response!.ShardId));
        Assert.Equal((null, ClusterErrorCodes.ShardUnavailable), (outcomes[1].Response, outcomes[1].ErrorCode));
        Assert.Equal(("s0", 0), (outcomes[2].Response!.Dense[0].Id, outcomes[2].Response!.ShardId));

        // A bad request fails every shard with its own specific error, not the silo call.
        ShardSearchOutcome[] refused = await store.SearchAsync([0, 2], request with { Vector = new float[3] }, CancellationToken.None);
        Assert.All(refused, outcome => Assert.Equal(ClusterErrorCodes.DimensionMismatch, outcome.ErrorCode));
    }
}
