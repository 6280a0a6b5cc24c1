using DprCluster.Encoders;
using DprCluster.Index.Vectors;

namespace DprCluster.Grains.Tests;

/// <summary>
/// A deterministic stand-in encoder: each lower-cased word adds a pseudo-random unit direction, so texts that share
/// words have large dot products. Good enough to tell ranking and routing apart without a model; silos in the
/// Orleans tests serve it through a real <see cref="Encoders.Batching.EncoderService"/>.
/// </summary>
internal sealed class HashingEncoder(int dimension = 32) : IEncoder
{
    public int Dimension { get; } = dimension;

    public void EncodeQueries(ReadOnlySpan<string> queries, Span<float> destination)
    {
        for (int i = 0; i < queries.Length; i++)
        {
            Encode(queries[i]).CopyTo(destination.Slice(i * Dimension, Dimension));
        }
    }

    public void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination)
    {
        for (int i = 0; i < passages.Length; i++)
        {
            Encode(passages[i].Title + " " + passages[i].Text).CopyTo(destination.Slice(i * Dimension, Dimension));
        }
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

    public void Dispose()
    {
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
