using DprCluster.Encoders;
using DprCluster.Grains.Contracts;
using DprCluster.Index.Vectors;

namespace DprCluster.Grains.Tests;

/// <summary>
/// A deterministic stand-in encoder: each lower-cased word adds a pseudo-random unit direction, so texts that share
/// words have large dot products. Good enough to tell ranking and routing apart without a model.
/// </summary>
internal sealed class HashingEncoderGrain(int dimension = 32) : IEncoderGrain
{
    public int Dimension { get; } = dimension;

    public int Calls;

    public Task<float[][]> EncodeQueriesAsync(IReadOnlyList<string> queries, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        var result = new float[queries.Count][];
        for (int i = 0; i < queries.Count; i++)
        {
            result[i] = Encode(queries[i]);
        }
        return Task.FromResult(result);
    }

    public Task<float[][]> EncodePassagesAsync(IReadOnlyList<PassageText> passages, CancellationToken cancellationToken)
    {
        var result = new float[passages.Count][];
        for (int i = 0; i < passages.Count; i++)
        {
            result[i] = Encode(passages[i].Title + " " + passages[i].Text);
        }
        return Task.FromResult(result);
    }

    public float[] Encode(string text)
    {
        var vector = new float[Dimension];
        foreach (string word in text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var random = new Random(StableSeed(word));
            for (int d = 0; d < Dimension; d++)
            {
                vector[d] += (float)(random.NextDouble() * 2 - 1);
            }
        }
        VectorKernels.Normalize(vector);
        return vector;
    }

    private static int StableSeed(string word)
    {
        int hash = 17;
        foreach (char c in word)
        {
            hash = hash * 31 + c;
        }
        return hash;
    }
}
