using DprCluster.Abstractions;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Index.Hnsw;
using DprCluster.Index.Vectors;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Tests;

public class ShardSnapshotTests
{
    private const int Dim = 8;

    [Fact]
    public void A_snapshot_carries_the_writes_still_waiting_for_the_graph()
    {
        using var dir = new TestDirectory();
        var indexing = new BufferedIndexingOptions(1000, 1, Background: false);
        var contents = new ShardContents(0, new PassageStore(), new BufferedHnswIndex(new HnswIndex(new HnswOptions(Dim, Metric.InnerProduct)), indexing),
            new Bm25Index(new EnglishAnalyzer(new EnglishAnalyzerOptions()), new Bm25Parameters()));
        var random = new Random(11);
        var expected = new Dictionary<string, float[]>();
        void Upsert(string id)
        {
            var vector = new float[Dim];
            for (int d = 0; d < Dim; d++)
            {
                vector[d] = (float)random.NextDouble() - 0.5f;
            }
            long key = contents.Passages.Upsert(new Passage(id, "", $"passage {id}", null));
            contents.Vectors.Add(key, vector);
            contents.Postings.Upsert(id, "", $"passage {id}");
            expected[id] = vector;
        }
        for (int i = 0; i < 30; i++)
        {
            Upsert($"p{i}");
        }
        contents.Vectors.IndexPending();
        for (int i = 30; i < 40; i++)
        {
            Upsert($"p{i}");
        }
        Upsert("p3");
        long deleted = contents.Passages.Remove("p5")!.Value;
        contents.Vectors.Remove(deleted);
        contents.Postings.Delete("p5");
        expected.Remove("p5");

        string path;
        using (ShardContentsView view = ShardContentsView.Of(contents, 42))
        {
            path = ShardSnapshot.Write(FileStorageDevice.Instance, dir.Path, 0, view);
        }
        contents.Vectors.Dispose();
        contents.Postings.Dispose();

        ShardContents read = ShardSnapshot.Read(path, 0, indexing);
        try
        {
            Assert.Equal((42L, 12, 39), (read.Lsn, read.Vectors.Unindexed, read.Vectors.CountLive()));
            var stored = new float[Dim];
            foreach ((string id, float[] vector) in expected)
            {
                Assert.True(read.Vectors.TryGetVector(read.Passages.KeyOf(id)!.Value, stored));
                Assert.Equal(vector, stored);
            }
            Assert.False(read.Vectors.TryGetVector(deleted, stored));
            read.Vectors.IndexPending();
            Assert.Equal((0, 39), (read.Vectors.Unindexed, read.Vectors.Graph.Count));
            Assert.True(read.Vectors.TryGetVector(read.Passages.KeyOf("p3")!.Value, stored));
            Assert.Equal(expected["p3"], stored);
        }
        finally
        {
            read.Vectors.Dispose();
            read.Postings.Dispose();
        }
    }
}
