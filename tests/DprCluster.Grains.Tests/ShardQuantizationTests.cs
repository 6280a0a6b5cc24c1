using DprCluster.Abstractions;
using DprCluster.Grains.Shard;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Index.Quantization;
using DprCluster.Testing;

namespace DprCluster.Grains.Tests;

public class ShardQuantizationTests
{
    private static readonly HashingEncoder Encoder = new();

    private static async Task<ShardReplica> StartAsync(string directory, VectorQuantization quantization)
    {
        var options = new ShardOptions(directory, Encoder.Dimension) { Quantization = quantization, RecallProbeIntervalMs = 1 };
        var replica = new ShardReplica(3, options);
        await replica.StartAsync();
        return replica;
    }

    private static Task<ShardWriteResponse> UpsertAsync(ShardReplica replica, IEnumerable<(string Id, string Text)> passages) =>
        replica.UpsertAsync(new ShardUpsertRequest(
            passages.Select(p => new EncodedPassage(new Passage(p.Id, "", p.Text), Encoder.Encode(p.Text))).ToArray()), CancellationToken.None);

    private static async Task<ShardHit[]> DenseAsync(ShardReplica replica, string query, int k) =>
        (await replica.SearchAsync(new ShardSearchRequest(Encoder.Encode(query), null, null, k), CancellationToken.None)).Dense;

    [Fact]
    public async Task An_sq8_replica_keeps_its_quantization_through_a_snapshot_and_a_restart_under_other_options()
    {
        using var dir = new TestDirectory();
        var passages = Enumerable.Range(0, 400).Select(i => ($"p{i}", $"passage {i} on subject {i % 13} with detail {i * 7 % 31}")).ToList();
        await using (ShardReplica replica = await StartAsync(dir.Path, VectorQuantization.Sq8))
        {
            await UpsertAsync(replica, passages.Take(300));
            await replica.SnapshotAsync();
            await UpsertAsync(replica, passages.Skip(300));
            ShardStats stats = await replica.GetStatsAsync(CancellationToken.None);
            Assert.Equal("sq8", stats.Quantization);
            Assert.True(stats.IndexBytes > 0);
        }

        // The option only applies to a new index: the snapshot's SQ8 index comes back, with the log replayed onto it.
        await using ShardReplica recovered = await StartAsync(dir.Path, VectorQuantization.None);
        ShardStats recoveredStats = await recovered.GetStatsAsync(CancellationToken.None);
        Assert.Equal(("sq8", 400), (recoveredStats.Quantization, recoveredStats.Passages));
        foreach ((string id, string text) in passages.Where((_, i) => i % 40 == 0))
        {
            ShardHit top = (await DenseAsync(recovered, text, 1))[0];
            Assert.Equal(id, top.Id);
            // Re-ranked on the full-precision vector: the score is the exact inner product.
            float[] vector = Encoder.Encode(text);
            Assert.Equal(Index.Vectors.VectorKernels.Dot(vector, vector), top.Score, 1e-4f);
        }

        // The recall probe measures the quantized search against exact search over the originals.
        await Poll.UntilAsync("a recall measurement", TimeSpan.FromSeconds(60), async () =>
        {
            await DenseAsync(recovered, "subject 5 with detail", 10);
            return (await recovered.GetStatsAsync(CancellationToken.None)).Recall is > 0.5;
        });
    }

    [Fact]
    public async Task A_replica_created_without_quantization_stays_float32()
    {
        using var dir = new TestDirectory();
        await using ShardReplica replica = await StartAsync(dir.Path, VectorQuantization.None);
        await UpsertAsync(replica, [("a", "alpha"), ("b", "beta")]);
        Assert.Equal("none", (await replica.GetStatsAsync(CancellationToken.None)).Quantization);
    }
}
