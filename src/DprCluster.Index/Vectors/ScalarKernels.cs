namespace DprCluster.Index.Vectors;

/// <summary>
/// Plain loops computing the same similarities as <see cref="VectorKernels"/> in double precision: the reference
/// the SIMD kernels are checked against, and nothing else.
/// </summary>
public static class ScalarKernels
{
    /// <summary>Inner product a·b.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }
        return sum;
    }

    /// <summary>Squared Euclidean distance ‖a−b‖².</summary>
    public static double SquaredL2(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double denominator = Math.Sqrt(Dot(a, a) * Dot(b, b));
        return denominator == 0 ? 0 : Dot(a, b) / denominator;
    }
}
