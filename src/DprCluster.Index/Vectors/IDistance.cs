using System.Runtime.CompilerServices;
using DprCluster.Index.Quantization;

namespace DprCluster.Index.Vectors;

/// <summary>
/// A distance (lower is closer) between a prepared query and a stored graph node, used as a generic type argument
/// so the JIT specialises and inlines the kernel into the search loops instead of dispatching per node. A node is
/// d floats, or d 8-bit codes under SQ8; a prepared query is the query plus whatever per-query constants the
/// node format needs (at most 2·d + 1 floats).
/// </summary>
internal unsafe interface IDistance
{
    /// <summary>True when nodes hold 8-bit codes and need <see cref="Sq8Range"/> and full-precision re-ranking.</summary>
    static abstract bool Quantized { get; }

    /// <summary>Distance from a prepared query to a stored node.</summary>
    static abstract float Compute(float* query, byte* node, int dimensions);

    /// <summary>A full-precision vector as a prepared query: the vector itself, or its form written to <paramref name="scratch"/>.</summary>
    static abstract float* Prepare(float* vector, float* scratch, Sq8Range? range, int dimensions);

    /// <summary>A stored node as a prepared query (neighbour selection compares nodes with each other).</summary>
    static abstract float* NodeAsQuery(byte* node, float* scratch, Sq8Range? range, int dimensions);

    /// <summary>The same distance between two full-precision vectors: re-ranking and exact search.</summary>
    static abstract float Exact(float* a, float* b, int dimensions);
}

/// <summary>−a·b over float32 nodes: inner product (and cosine over normalised vectors) as a distance.</summary>
internal readonly unsafe struct NegativeDot : IDistance
{
    public static bool Quantized => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(float* query, byte* node, int dimensions) => -VectorKernels.Dot(ref *query, ref *(float*)node, dimensions);

    public static float* Prepare(float* vector, float* scratch, Sq8Range? range, int dimensions) => vector;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float* NodeAsQuery(byte* node, float* scratch, Sq8Range? range, int dimensions) => (float*)node;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exact(float* a, float* b, int dimensions) => -VectorKernels.Dot(ref *a, ref *b, dimensions);
}

/// <summary>‖a−b‖² over float32 nodes.</summary>
internal readonly unsafe struct SquaredEuclidean : IDistance
{
    public static bool Quantized => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(float* query, byte* node, int dimensions) => VectorKernels.SquaredL2(ref *query, ref *(float*)node, dimensions);

    public static float* Prepare(float* vector, float* scratch, Sq8Range? range, int dimensions) => vector;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float* NodeAsQuery(byte* node, float* scratch, Sq8Range? range, int dimensions) => (float*)node;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exact(float* a, float* b, int dimensions) => VectorKernels.SquaredL2(ref *a, ref *b, dimensions);
}
