using DprCluster.Index.Vectors;

namespace DprCluster.Cli.Benchmarks;

/// <summary>Exact inner-product top-k of each query over the first rows of a base set: the truth recall is measured against.</summary>
internal static class ExactNeighbors
{
    /// <summary>Row numbers of the best <paramref name="k"/> base rows (of the first <paramref name="baseRows"/>) per query, best first.</summary>
    public static int[][] TopK(float[] baseSet, int baseRows, float[] queries, int dimensions, int k)
    {
        int queryRows = queries.Length / dimensions;
        var result = new int[queryRows][];
        Parallel.For(0, queryRows, q =>
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * dimensions, dimensions);
            var best = new PriorityQueue<int, float>(k + 1);
            for (int row = 0; row < baseRows; row++)
            {
                float score = VectorKernels.Dot(query, baseSet.AsSpan(row * dimensions, dimensions));
                if (best.Count < k)
                {
                    best.Enqueue(row, score);
                }
                else if (best.TryPeek(out _, out float worst) && score > worst)
                {
                    best.DequeueEnqueue(row, score);
                }
            }
            var rows = new int[best.Count];
            for (int i = rows.Length - 1; i >= 0; i--)
            {
                rows[i] = best.Dequeue();
            }
            result[q] = rows;
        });
        return result;
    }
}
