using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DprCluster.Index.Vectors;

/// <summary>
/// SIMD similarity kernels over float32. Four independent accumulators hide the FMA latency; the widest vector the
/// machine accelerates (512, 256 or 128 bits) is chosen by the JIT, so the branches on <c>IsHardwareAccelerated</c>
/// fold away. <see cref="ScalarKernels"/> holds the references they are tested against.
/// </summary>
public static class VectorKernels
{
    /// <summary>Inner product a·b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            ThrowLengthMismatch();
        }
        return Dot(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>Squared Euclidean distance ‖a−b‖².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredL2(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            ThrowLengthMismatch();
        }
        return SquaredL2(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float denominator = MathF.Sqrt(Dot(a, a) * Dot(b, b));
        return denominator == 0f ? 0f : Dot(a, b) / denominator;
    }

    /// <summary>Scales <paramref name="v"/> to unit length in place; a zero vector stays zero.</summary>
    public static void Normalize(Span<float> v)
    {
        float norm = MathF.Sqrt(Dot(v, v));
        if (norm > 0f)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(v, 1f / norm, v);
        }
    }

    /// <summary>True when no element is NaN or infinite (x − x is 0 exactly for finite x).</summary>
    public static bool AllFinite(ReadOnlySpan<float> v)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float start = ref MemoryMarshal.GetReference(v);
            for (; i + Vector256<float>.Count <= v.Length; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref start, (nuint)i);
                if (!Vector256.EqualsAll(x - x, Vector256<float>.Zero))
                {
                    return false;
                }
            }
        }
        for (; i < v.Length; i++)
        {
            if (!float.IsFinite(v[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Inner product over <paramref name="length"/> floats starting at the given references.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int length)
    {
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            return Dot512(ref a, ref b, length);
        }
        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            return Dot256(ref a, ref b, length);
        }
        return DotTail(ref a, ref b, 0, length, 0f);
    }

    /// <summary>Squared L2 distance over <paramref name="length"/> floats starting at the given references.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredL2(ref float a, ref float b, int length)
    {
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            return SquaredL2_512(ref a, ref b, length);
        }
        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            return SquaredL2_256(ref a, ref b, length);
        }
        return SquaredL2Tail(ref a, ref b, 0, length, 0f);
    }

    private static float Dot512(ref float a, ref float b, int length)
    {
        const int W = 16;
        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0, n = (nuint)length;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i), s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, i + W), Vector512.LoadUnsafe(ref b, i + W), s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, i + 2 * W), Vector512.LoadUnsafe(ref b, i + 2 * W), s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, i + 3 * W), Vector512.LoadUnsafe(ref b, i + 3 * W), s3);
        }
        for (; i + W <= n; i += W)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i), s0);
        }
        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        return DotTail(ref a, ref b, (int)i, length, sum);
    }

    private static float Dot256(ref float a, ref float b, int length)
    {
        const int W = 8;
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0, n = (nuint)length;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i + W), Vector256.LoadUnsafe(ref b, i + W), s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i + 2 * W), Vector256.LoadUnsafe(ref b, i + 2 * W), s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i + 3 * W), Vector256.LoadUnsafe(ref b, i + 3 * W), s3);
        }
        for (; i + W <= n; i += W)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), s0);
        }
        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        return DotTail(ref a, ref b, (int)i, length, sum);
    }

    private static float SquaredL2_512(ref float a, ref float b, int length)
    {
        const int W = 16;
        Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0, n = (nuint)length;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            var d0 = Vector512.LoadUnsafe(ref a, i) - Vector512.LoadUnsafe(ref b, i);
            var d1 = Vector512.LoadUnsafe(ref a, i + W) - Vector512.LoadUnsafe(ref b, i + W);
            var d2 = Vector512.LoadUnsafe(ref a, i + 2 * W) - Vector512.LoadUnsafe(ref b, i + 2 * W);
            var d3 = Vector512.LoadUnsafe(ref a, i + 3 * W) - Vector512.LoadUnsafe(ref b, i + 3 * W);
            s0 = Vector512.FusedMultiplyAdd(d0, d0, s0);
            s1 = Vector512.FusedMultiplyAdd(d1, d1, s1);
            s2 = Vector512.FusedMultiplyAdd(d2, d2, s2);
            s3 = Vector512.FusedMultiplyAdd(d3, d3, s3);
        }
        for (; i + W <= n; i += W)
        {
            var d = Vector512.LoadUnsafe(ref a, i) - Vector512.LoadUnsafe(ref b, i);
            s0 = Vector512.FusedMultiplyAdd(d, d, s0);
        }
        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        return SquaredL2Tail(ref a, ref b, (int)i, length, sum);
    }

    private static float SquaredL2_256(ref float a, ref float b, int length)
    {
        const int W = 8;
        Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        nuint i = 0, n = (nuint)length;
        for (; i + 4 * W <= n; i += 4 * W)
        {
            var d0 = Vector256.LoadUnsafe(ref a, i) - Vector256.LoadUnsafe(ref b, i);
            var d1 = Vector256.LoadUnsafe(ref a, i + W) - Vector256.LoadUnsafe(ref b, i + W);
            var d2 = Vector256.LoadUnsafe(ref a, i + 2 * W) - Vector256.LoadUnsafe(ref b, i + 2 * W);
            var d3 = Vector256.LoadUnsafe(ref a, i + 3 * W) - Vector256.LoadUnsafe(ref b, i + 3 * W);
            s0 = Vector256.FusedMultiplyAdd(d0, d0, s0);
            s1 = Vector256.FusedMultiplyAdd(d1, d1, s1);
            s2 = Vector256.FusedMultiplyAdd(d2, d2, s2);
            s3 = Vector256.FusedMultiplyAdd(d3, d3, s3);
        }
        for (; i + W <= n; i += W)
        {
            var d = Vector256.LoadUnsafe(ref a, i) - Vector256.LoadUnsafe(ref b, i);
            s0 = Vector256.FusedMultiplyAdd(d, d, s0);
        }
        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        return SquaredL2Tail(ref a, ref b, (int)i, length, sum);
    }

    private static float DotTail(ref float a, ref float b, int start, int length, float sum)
    {
        for (int i = start; i < length; i++)
        {
            sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        }
        return sum;
    }

    private static float SquaredL2Tail(ref float a, ref float b, int start, int length, float sum)
    {
        for (int i = start; i < length; i++)
        {
            float d = Unsafe.Add(ref a, i) - Unsafe.Add(ref b, i);
            sum += d * d;
        }
        return sum;
    }

    private static void ThrowLengthMismatch() =>
        throw new ArgumentException("Vectors must have the same number of dimensions.");
}
