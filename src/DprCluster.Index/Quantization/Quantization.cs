namespace DprCluster.Index.Quantization;

/// <summary>How an HNSW index stores the vectors its graph walks on.</summary>
public enum VectorQuantization
{
    /// <summary>float32 vectors in RAM: 4·d bytes a vector, exact distances.</summary>
    None = 0,

    /// <summary>
    /// 8-bit scalar quantization: one byte per dimension (d bytes a vector) on a per-dimension range learned from
    /// the first vectors; the graph is walked on the codes and the final candidates are re-ranked on the
    /// full-precision vectors, which live outside the graph (on disk for a shard).
    /// </summary>
    Sq8 = 1,
}

/// <summary>Parsing and naming of <see cref="VectorQuantization"/> values for options and command lines.</summary>
public static class VectorQuantizationNames
{
    /// <summary>Parses <c>none</c> or <c>sq8</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is not a known quantization.</exception>
    public static VectorQuantization Parse(string name) => name.ToLowerInvariant() switch
    {
        "none" or "float32" or "f32" => VectorQuantization.None,
        "sq8" or "int8" or "scalar8" => VectorQuantization.Sq8,
        _ => throw new ArgumentException($"Unknown quantization '{name}'; expected none or sq8.", nameof(name)),
    };

    /// <summary>The short name: <c>none</c> or <c>sq8</c>.</summary>
    public static string ToShortName(this VectorQuantization quantization) => quantization switch
    {
        VectorQuantization.None => "none",
        VectorQuantization.Sq8 => "sq8",
        _ => throw new ArgumentOutOfRangeException(nameof(quantization), quantization, null),
    };
}
