using DprCluster.Index.Vectors;

namespace DprCluster.Cli.Benchmarks;

/// <summary>
/// Seeded synthetic embeddings for scale benchmarks: unit vectors scattered around random cluster centres (Gaussian
/// noise of a fixed spread), the shape real passage embeddings have, so HNSW meets the same local structure. The same
/// seed gives the same rows, and a prefix of a larger set is the smaller set.
/// </summary>
internal static class ClusteredVectors
{
    /// <summary>
    /// <paramref name="rows"/> × <paramref name="dimensions"/> floats around <paramref name="clusters"/> centres; the
    /// centres come from <paramref name="seed"/>, the noise from <paramref name="noiseSeed"/> (queries use another one).
    /// </summary>
    public static float[] Generate(int rows, int dimensions, int clusters, int seed, int noiseSeed, float spread = 0.6f)
    {
        var centres = new float[clusters * dimensions];
        var random = new Random(seed);
        for (int i = 0; i < centres.Length; i++)
        {
            centres[i] = Gaussian(random);
        }
        for (int c = 0; c < clusters; c++)
        {
            VectorKernels.Normalize(centres.AsSpan(c * dimensions, dimensions));
        }
        var data = new float[(long)rows * dimensions];
        // Rows are filled in parallel chunks, each with its own generator seeded by its position: still deterministic.
        const int chunk = 4096;
        Parallel.For(0, (rows + chunk - 1) / chunk, part =>
        {
            var noise = new Random(HashCode.Combine(noiseSeed, part));
            float sigma = spread / MathF.Sqrt(dimensions);
            for (int row = part * chunk; row < Math.Min(rows, (part + 1) * chunk); row++)
            {
                Span<float> v = data.AsSpan(row * dimensions, dimensions);
                ReadOnlySpan<float> centre = centres.AsSpan(noise.Next(clusters) * dimensions, dimensions);
                for (int d = 0; d < dimensions; d++)
                {
                    v[d] = centre[d] + sigma * Gaussian(noise);
                }
                VectorKernels.Normalize(v);
            }
        });
        return data;
    }

    private static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }
}
