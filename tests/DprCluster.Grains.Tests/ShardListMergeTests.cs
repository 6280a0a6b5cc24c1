using DprCluster.Abstractions;
using DprCluster.Grains.Coordinator;

namespace DprCluster.Grains.Tests;

public class ShardListMergeTests
{
    private static ShardHit Hit(string id, float score) => new(id, score, "", "", null);

    private static ShardSearchResponse Dense(int shard, params ShardHit[] hits) => new(shard, hits, []);

    private static string Ranked(List<(Text.ScoredHit Hit, int Shard)> merged) =>
        string.Join(" ", merged.ConvertAll(m => $"{m.Hit.Id}@{m.Shard}"));

    [Fact]
    public void Shard_lists_merge_by_score_then_id_and_a_missing_shard_is_skipped()
    {
        ShardSearchResponse?[] responses =
        [
            Dense(0, Hit("a", 0.9f), Hit("d", 0.5f)),
            null,
            Dense(2, Hit("c", 0.7f), Hit("b", 0.5f), Hit("e", 0.1f)),
        ];
        Assert.Equal("a@0 c@2 b@2 d@0", Ranked(ShardListMerge.Merge(responses, bm25: false, k: 4)));
        Assert.Equal("a@0 c@2 b@2 d@0 e@2", Ranked(ShardListMerge.Merge(responses, bm25: false, k: 10)));
    }

    [Fact]
    public void A_list_out_of_rank_order_is_sorted_and_bm25_hits_are_merged_apart_from_dense()
    {
        ShardSearchResponse?[] responses =
        [
            new(0, [Hit("x", 1f)], [Hit("low", 0.2f), Hit("high", 0.8f)]),
            new(1, [Hit("y", 2f)], [Hit("mid", 0.5f)]),
        ];
        Assert.Equal("high@0 mid@1 low@0", Ranked(ShardListMerge.Merge(responses, bm25: true, k: 3)));
        Assert.Equal("y@1 x@0", Ranked(ShardListMerge.Merge(responses, bm25: false, k: 3)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(100)]
    public void An_id_two_shards_return_counts_once_at_its_best_position(int k)
    {
        // k = 100 takes the hashed repeat check, k = 3 the direct one.
        ShardSearchResponse?[] responses =
        [
            Dense(0, Hit("moved", 0.4f), Hit("p", 0.3f)),
            Dense(1, Hit("moved", 0.9f), Hit("q", 0.2f)),
        ];
        Assert.Equal("moved@1 p@0 q@1", Ranked(ShardListMerge.Merge(responses, bm25: false, k)));
    }
}
