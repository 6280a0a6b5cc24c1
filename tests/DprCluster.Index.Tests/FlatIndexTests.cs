using DprCluster.Index.Flat;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Tests;

public class FlatIndexTests
{
    private const int Dim = 24;

    [Theory]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    public void Search_returns_the_exact_top_k_in_order(Metric metric)
    {
        float[] data = SyntheticVectors.Clustered(500, Dim, 5, seed: 3);
        FlatIndex index = SyntheticVectors.Exact(Dim, metric, SyntheticVectors.Ids(500), data);
        float[] query = SyntheticVectors.Clustered(1, Dim, 1, seed: 4);

        var scores = new (double Score, long Id)[500];
        for (int i = 0; i < 500; i++)
        {
            ReadOnlySpan<float> row = data.AsSpan(i * Dim, Dim);
            double score = metric switch
            {
                Metric.L2 => -ScalarKernels.SquaredL2(query, row),
                Metric.Cosine => ScalarKernels.Cosine(query, row),
                _ => ScalarKernels.Dot(query, row),
            };
            scores[i] = (score, i);
        }
        Array.Sort(scores, (a, b) => b.Score.CompareTo(a.Score));

        SearchHit[] hits = new SearchHit[10];
        Assert.Equal(10, index.Search(query, 10, hits));
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(scores[i].Id, hits[i].Id);
            Assert.Equal(scores[i].Score, hits[i].Score, 1e-3);
        }
    }

    [Fact]
    public void Batch_search_equals_one_query_at_a_time()
    {
        float[] data = SyntheticVectors.Clustered(1000, Dim, 8, seed: 5);
        FlatIndex index = SyntheticVectors.Exact(Dim, Metric.L2, SyntheticVectors.Ids(1000), data);
        float[] queries = SyntheticVectors.Clustered(37, Dim, 8, seed: 6);
        var batch = new SearchHit[37 * 5];
        var counts = new int[37];
        index.SearchBatch(queries, 5, batch, counts, threads: 2);
        var single = new SearchHit[5];
        for (int q = 0; q < 37; q++)
        {
            Assert.Equal(5, counts[q]);
            index.Search(queries.AsSpan(q * Dim, Dim), 5, single);
            Assert.Equal(single, batch.AsSpan(q * 5, 5).ToArray());
        }
    }

    [Fact]
    public void Remove_and_replace_change_what_is_found()
    {
        var index = new FlatIndex(2, Metric.L2);
        index.Add(1, [0, 0]);
        index.Add(2, [1, 0]);
        index.Add(3, [5, 5]);
        var hits = new SearchHit[3];

        Assert.True(index.Remove(1));
        Assert.False(index.Remove(1));
        Assert.Equal(2, index.Search([0, 0], 3, hits));
        Assert.Equal(2, hits[0].Id);

        index.Add(3, [0.1f, 0]);
        Assert.Equal(2, index.Count);
        index.Search([0, 0], 1, hits);
        Assert.Equal(3, hits[0].Id);
        Assert.True(index.Contains(3));
        Assert.False(index.Contains(1));
    }

    [Fact]
    public void Bad_input_gets_specific_errors()
    {
        var index = new FlatIndex(3);
        Assert.Throws<ArgumentException>(() => index.Add(1, [1, 2]));
        Assert.Throws<ArgumentException>(() => index.Add(1, [1, float.NaN, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 2, 3], 0, new SearchHit[1]));
        Assert.Throws<ArgumentException>(() => index.Search([1, 2, 3], 5, new SearchHit[1]));
        Assert.Equal(0, index.Search([1, 2, 3], 1, new SearchHit[1]));
    }
}
