namespace DprCluster.Encoders.Static;

/// <summary>
/// Word frequency ranks grouped by half-octaves, bucket(r) = ⌊2·log₂(r + 1)⌋: trained towers learn one weight per
/// bucket on top of SIF, a curve over frequency that carries over to words training never saw.
/// </summary>
public static class FrequencyBuckets
{
    /// <summary>Number of buckets; covers ranks up to 2²⁰ (the largest bucket takes all rarer words).</summary>
    public const int Count = 40;

    /// <summary>The bucket of frequency rank <paramref name="rank"/> (0-based).</summary>
    public static int Of(int rank) => Math.Min(Count - 1, (int)(2 * Math.Log2(rank + 1.0)));
}
