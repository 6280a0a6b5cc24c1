using System.Diagnostics;
using System.Diagnostics.Metrics;
using DprCluster.Abstractions;
using DprCluster.Grains.Shard;
using DprCluster.Grains.Telemetry;
using DprCluster.Index;
using DprCluster.Index.Hnsw;
using DprCluster.Index.Vectors;

namespace DprCluster.Grains.Tests;

public class RecallProbeTests
{
    private static readonly KeyValuePair<string, object?> Shard = new(DprClusterTelemetry.Attributes.Shard, 0);

    /// <summary>Passage i is (i, 0, 0, 0): under inner product with (1, 0, 0, 0) its score is i.</summary>
    private static HnswIndex Ramp(int count)
    {
        var index = new HnswIndex(new HnswOptions(4, Metric.InnerProduct));
        for (int i = 0; i < count; i++)
        {
            index.Add(i, [i, 0, 0, 0]);
        }
        return index;
    }

    [Fact]
    public void Recall_is_the_share_of_the_exact_top_k_the_search_found()
    {
        HnswIndex index = Ramp(100);
        float[] query = [1, 0, 0, 0];
        Assert.Equal(1.0, RecallProbe.Recall(index, query, 3, [99, 98, 97]));
        Assert.Equal(2.0 / 3, RecallProbe.Recall(index, query, 3, [99, 97, 12]));
        Assert.Equal(0.0, RecallProbe.Recall(index, query, 3, [50]));

        // A deleted passage no longer counts in the exact top-k.
        index.Remove(99);
        Assert.Equal(1.0, RecallProbe.Recall(index, query, 3, [98, 97, 96]));
        Assert.Null(RecallProbe.Recall(Ramp(0), query, 3, []));
    }

    [Fact]
    public void One_search_per_interval_is_taken_and_none_when_switched_off()
    {
        Assert.False(new RecallProbe(TimeSpan.Zero, Shard).TryTake());
        var probe = new RecallProbe(TimeSpan.FromHours(1), Shard);
        Assert.True(probe.TryTake());
        Assert.False(probe.TryTake());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecallProbe(TimeSpan.FromSeconds(-1), Shard));
    }

    [Fact]
    public async Task A_serving_replica_records_the_recall_of_its_searches()
    {
        const int shardId = 41;
        var recalls = new List<double>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == DprClusterTelemetry.Metrics.ShardSearchRecall)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == DprClusterTelemetry.Attributes.Shard && tag.Value is shardId)
                {
                    lock (recalls)
                    {
                        recalls.Add(value);
                    }
                }
            }
        });
        meters.Start();

        var encoder = new HashingEncoder();
        using var dir = new TestDirectory();
        await using var grain = new ShardReplica(shardId, new ShardOptions(dir.Path, encoder.Dimension) { RecallProbeIntervalMs = 1 });
        await grain.StartAsync();
        var passages = new List<EncodedPassage>();
        for (int i = 0; i < 50; i++)
        {
            string text = $"passage {i} about topic {i % 7}";
            passages.Add(new EncodedPassage(new Passage($"p{i}", "", text), encoder.Encode(text)));
        }
        await grain.UpsertAsync(new ShardUpsertRequest([.. passages]), CancellationToken.None);

        // A 50-passage graph searched with ef 128 is exact, so every measurement is 1.
        var deadline = Stopwatch.StartNew();
        while (Count(recalls) < 3)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"only {Count(recalls)} recall measurements");
            await grain.SearchAsync(new ShardSearchRequest(encoder.Encode("topic 3"), null, null, 5), CancellationToken.None);
            await Task.Yield();
        }
        lock (recalls)
        {
            Assert.All(recalls, recall => Assert.Equal(1.0, recall));
        }
    }

    private static int Count(List<double> recalls)
    {
        lock (recalls)
        {
            return recalls.Count;
        }
    }
}
