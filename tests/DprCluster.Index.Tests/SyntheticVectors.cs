using DprCluster.Index;
using DprCluster.Index.Flat;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Tests;

/// <summary>Seeded clustered data (Gaussian blobs around random centres) and recall against exact search.</summary>
internal static class SyntheticVectors
{
    public static float[] Clustered(int count, int dimensions, int clusters, int seed, float spread = 0.35f)
    {
        var random = new Random(seed);
        var centres = new float[clusters * dimensions];
        for (int i = 0; i < centres.Length; i++)
        {
            centres[i] = Gaussian(random);
        }
        var data = new float[count * dimensions];
        for (int row = 0; row < count; row++)
        {
            int c = random.Next(clusters);
            // Norms vary by ±30% so inner product and cosine rank differently.
            float scale = 0.7f + 0.6f * (float)random.NextDouble();
            for (int d = 0; d < dimensions; d++)
            {
                data[row * dimensions + d] = scale * (centres[c * dimensions + d] + spread * Gaussian(random));
            }
        }
        return data;
    }

    public static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    public static long[] Ids(int count, long first = 0)
    {
        var ids = new long[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = first + i;
        }
        return ids;
    }

    /// <summary>Mean fraction of the exact top-k that <paramref name="index"/> returns.</summary>
    public static double Recall(IVectorIndex index, FlatIndex exact, float[] queries, int k)
    {
        int dimensions = exact.Dimensions;
        int n = queries.Length / dimensions;
        var expected = new SearchHit[k];
        var actual = new SearchHit[k];
        long matched = 0;
        for (int q = 0; q < n; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * dimensions, dimensions);
            int e = exact.Search(query, k, expected);
            int a = index.Search(query, k, actual);
            var truth = new HashSet<long>();
            for (int i = 0; i < e; i++)
            {
                truth.Add(expected[i].Id);
            }
            for (int i = 0; i < a; i++)
            {
                if (truth.Contains(actual[i].Id))
                {
                    matched++;
                }
            }
        }
        return (double)matched / ((long)n * k);
    }

    public static FlatIndex Exact(int dimensions, Metric metric, long[] ids, float[] vectors)
    {
        var flat = new FlatIndex(dimensions, metric);
        flat.AddRange(ids, vectors);
        return flat;
    }
}
