namespace DprCluster.Index.Vectors;

/// <summary>Similarity of two vectors. Scores are always "higher is closer".</summary>
public enum Metric
{
    /// <summary>Inner product, DPR's similarity: score = a·b.</summary>
    InnerProduct = 0,

    /// <summary>Cosine similarity: vectors are L2-normalised on the way in, then compared by inner product.</summary>
    Cosine = 1,

    /// <summary>Euclidean distance: score = −‖a−b‖².</summary>
    L2 = 2,
}

/// <summary>Parsing and naming of <see cref="Metric"/> values for command lines and file headers.</summary>
public static class MetricNames
{
    /// <summary>Parses <c>ip</c>, <c>cosine</c> or <c>l2</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is not a known metric.</exception>
    public static Metric Parse(string name) => name.ToLowerInvariant() switch
    {
        "ip" or "dot" or "inner_product" or "innerproduct" => Metric.InnerProduct,
        "cosine" or "cos" => Metric.Cosine,
        "l2" or "euclidean" => Metric.L2,
        _ => throw new ArgumentException($"Unknown metric '{name}'; expected ip, cosine or l2.", nameof(name)),
    };

    /// <summary>The short name used on command lines: <c>ip</c>, <c>cosine</c> or <c>l2</c>.</summary>
    public static string ToShortName(this Metric metric) => metric switch
    {
        Metric.InnerProduct => "ip",
        Metric.Cosine => "cosine",
        Metric.L2 => "l2",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };
}
