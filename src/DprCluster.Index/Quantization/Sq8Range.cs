namespace DprCluster.Index.Quantization;

/// <summary>
/// The per-dimension range of 8-bit scalar codes: x ≈ Min[i] + Scale[i]·code. Immutable once published, so a
/// search that captured one scores every node against the same range.
/// </summary>
internal sealed unsafe class Sq8Range
{
    public readonly float[] Min;
    public readonly float[] Scale;

    public Sq8Range(float[] min, float[] scale)
    {
        Min = min;
        Scale = scale;
    }

    public int Dimensions => Min.Length;

    /// <summary>The range that maps [<paramref name="low"/>, <paramref name="high"/>] onto codes 0..255 per dimension.</summary>
    public static Sq8Range Covering(ReadOnlySpan<float> low, ReadOnlySpan<float> high)
    {
        var min = new float[low.Length];
        var scale = new float[low.Length];
        for (int i = 0; i < min.Length; i++)
        {
            min[i] = low[i];
            // A constant dimension still needs a positive step: codes then all read back as its one value.
            float span = MathF.Max(high[i] - low[i], 1e-6f * MathF.Max(1f, MathF.Abs(low[i])));
            scale[i] = span / 255f;
        }
        return new Sq8Range(min, scale);
    }

    /// <summary>Writes the nearest code of every component, clamped to 0..255 (values beyond the range saturate).</summary>
    public void Encode(ReadOnlySpan<float> vector, byte* codes)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            float code = MathF.Round((vector[i] - Min[i]) / Scale[i]);
            codes[i] = (byte)Math.Clamp(code, 0f, 255f);
        }
    }

    /// <summary>The vector the codes stand for.</summary>
    public void Decode(byte* codes, Span<float> vector)
    {
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = Min[i] + Scale[i] * codes[i];
        }
    }
}
