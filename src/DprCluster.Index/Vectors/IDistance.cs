using System.Runtime.CompilerServices;

namespace DprCluster.Index.Vectors;

/// <summary>
/// A distance (lower is closer) used as a generic type argument so the JIT specialises and inlines the kernel into
/// the search loops instead of dispatching per vector.
/// </summary>
internal interface IDistance
{
    static abstract float Compute(ref float a, ref float b, int dimensions);
}

/// <summary>−a·b: inner product (and cosine over normalised vectors) as a distance.</summary>
internal readonly struct NegativeDot : IDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(ref float a, ref float b, int dimensions) => -VectorKernels.Dot(ref a, ref b, dimensions);
}

/// <summary>‖a−b‖².</summary>
internal readonly struct SquaredEuclidean : IDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(ref float a, ref float b, int dimensions) => VectorKernels.SquaredL2(ref a, ref b, dimensions);
}
