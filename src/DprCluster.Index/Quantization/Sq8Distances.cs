using System.Runtime.CompilerServices;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Quantization;

/// <summary>
/// −q·x over SQ8 nodes, x = min + scale·c: q·x = q·min + Σ (q·scale)[i]·c[i]. The prepared query holds q·scale
/// (d floats) and then the bias q·min, so a node costs one widening multiply-add per dimension.
/// </summary>
internal readonly unsafe struct Sq8NegativeDot : IDistance
{
    public static bool Quantized => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(float* query, byte* node, int dimensions) => -(query[dimensions] + Sq8Kernels.Dot(query, node, dimensions));

    public static float* Prepare(float* vector, float* scratch, Sq8Range? range, int dimensions)
    {
        float[] min = range!.Min;
        float[] scale = range.Scale;
        float bias = 0f;
        for (int i = 0; i < dimensions; i++)
        {
            scratch[i] = vector[i] * scale[i];
            bias += vector[i] * min[i];
        }
        scratch[dimensions] = bias;
        return scratch;
    }

    public static float* NodeAsQuery(byte* node, float* scratch, Sq8Range? range, int dimensions)
    {
        float[] min = range!.Min;
        float[] scale = range.Scale;
        float bias = 0f;
        for (int i = 0; i < dimensions; i++)
        {
            float x = min[i] + scale[i] * node[i];
            scratch[i] = x * scale[i];
            bias += x * min[i];
        }
        scratch[dimensions] = bias;
        return scratch;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exact(float* a, float* b, int dimensions) => -VectorKernels.Dot(ref *a, ref *b, dimensions);
}

/// <summary>
/// ‖q−x‖² over SQ8 nodes: Σ scale[i]²·((q[i] − min[i])/scale[i] − c[i])². The prepared query holds the query in
/// code units (d floats) and then the weights scale² (d floats).
/// </summary>
internal readonly unsafe struct Sq8SquaredEuclidean : IDistance
{
    public static bool Quantized => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(float* query, byte* node, int dimensions) =>
        Sq8Kernels.WeightedSquaredL2(query, query + dimensions, node, dimensions);

    public static float* Prepare(float* vector, float* scratch, Sq8Range? range, int dimensions)
    {
        float[] min = range!.Min;
        float[] scale = range.Scale;
        for (int i = 0; i < dimensions; i++)
        {
            scratch[i] = (vector[i] - min[i]) / scale[i];
            scratch[dimensions + i] = scale[i] * scale[i];
        }
        return scratch;
    }

    public static float* NodeAsQuery(byte* node, float* scratch, Sq8Range? range, int dimensions)
    {
        float[] scale = range!.Scale;
        for (int i = 0; i < dimensions; i++)
        {
            scratch[i] = node[i];
            scratch[dimensions + i] = scale[i] * scale[i];
        }
        return scratch;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exact(float* a, float* b, int dimensions) => VectorKernels.SquaredL2(ref *a, ref *b, dimensions);
}
