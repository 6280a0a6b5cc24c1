using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DprCluster.Index.Quantization;

/// <summary>
/// Asymmetric distance kernels between a float query and 8-bit codes: the codes are widened to float in registers
/// (vpmovzxbd + cvtdq2ps), so a node costs a quarter of the memory traffic of a float32 one. AVX2 with a scalar
/// fallback; <see cref="Sq8ReferenceKernels"/> holds the references they are tested against.
/// </summary>
internal static unsafe class Sq8Kernels
{
    /// <summary>Σ q[i]·c[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* q, byte* c, int length)
    {
        int i = 0;
        float sum = 0f;
        if (Avx2.IsSupported && Fma.IsSupported && length >= 32)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (; i + 32 <= length; i += 32)
            {
                s0 = Fma.MultiplyAdd(Avx.LoadVector256(q + i), Widen(c + i), s0);
                s1 = Fma.MultiplyAdd(Avx.LoadVector256(q + i + 8), Widen(c + i + 8), s1);
                s2 = Fma.MultiplyAdd(Avx.LoadVector256(q + i + 16), Widen(c + i + 16), s2);
                s3 = Fma.MultiplyAdd(Avx.LoadVector256(q + i + 24), Widen(c + i + 24), s3);
            }
            for (; i + 8 <= length; i += 8)
            {
                s0 = Fma.MultiplyAdd(Avx.LoadVector256(q + i), Widen(c + i), s0);
            }
            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < length; i++)
        {
            sum += q[i] * c[i];
        }
        return sum;
    }

    /// <summary>Σ w[i]·(p[i] − c[i])².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float WeightedSquaredL2(float* p, float* w, byte* c, int length)
    {
        int i = 0;
        float sum = 0f;
        if (Avx2.IsSupported && Fma.IsSupported && length >= 16)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0;
            for (; i + 16 <= length; i += 16)
            {
                Vector256<float> d0 = Avx.LoadVector256(p + i) - Widen(c + i);
                Vector256<float> d1 = Avx.LoadVector256(p + i + 8) - Widen(c + i + 8);
                s0 = Fma.MultiplyAdd(Avx.LoadVector256(w + i) * d0, d0, s0);
                s1 = Fma.MultiplyAdd(Avx.LoadVector256(w + i + 8) * d1, d1, s1);
            }
            for (; i + 8 <= length; i += 8)
            {
                Vector256<float> d = Avx.LoadVector256(p + i) - Widen(c + i);
                s0 = Fma.MultiplyAdd(Avx.LoadVector256(w + i) * d, d, s0);
            }
            sum = Vector256.Sum(s0 + s1);
        }
        for (; i < length; i++)
        {
            float d = p[i] - c[i];
            sum += w[i] * d * d;
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen(byte* c) => Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(c));
}

/// <summary>Plain loops the SIMD kernels of <see cref="Sq8Kernels"/> are tested against.</summary>
internal static unsafe class Sq8ReferenceKernels
{
    public static float Dot(float* q, byte* c, int length)
    {
        double sum = 0;
        for (int i = 0; i < length; i++)
        {
            sum += (double)q[i] * c[i];
        }
        return (float)sum;
    }

    public static float WeightedSquaredL2(float* p, float* w, byte* c, int length)
    {
        double sum = 0;
        for (int i = 0; i < length; i++)
        {
            double d = p[i] - c[i];
            sum += w[i] * d * d;
        }
        return (float)sum;
    }
}
