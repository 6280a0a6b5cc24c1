using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

/// <summary>Construction parameters of an <see cref="HnswIndex"/>. They are stored in its snapshots.</summary>
/// <param name="Dimensions">Vector length.</param>
/// <param name="Metric">Similarity; inner product by default, as DPR scores passages.</param>
/// <param name="M">Links per node on the upper layers; level 0 keeps 2·M.</param>
/// <param name="EfConstruction">Beam width while inserting.</param>
/// <param name="EfSearch">Default beam width of a query (raised to k when smaller).</param>
/// <param name="Seed">Seed of the level generator: the same inserts in the same order give the same graph.</param>
/// <param name="Quantization">How nodes store their vectors: float32, or SQ8 codes re-ranked on full precision.</param>
public sealed record HnswOptions(
    int Dimensions,
    Metric Metric = Metric.InnerProduct,
    int M = 16,
    int EfConstruction = 200,
    int EfSearch = 64,
    int Seed = 42,
    VectorQuantization Quantization = VectorQuantization.None)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter out of range.</summary>
    public void Validate()
    {
        if (Dimensions is < 1 or > 65536)
        {
            throw new ArgumentException($"Dimensions must be in [1, 65536], got {Dimensions}.", nameof(Dimensions));
        }
        if (M is < 2 or > 256)
        {
            throw new ArgumentException($"M must be in [2, 256], got {M}.", nameof(M));
        }
        if (EfConstruction < 1)
        {
            throw new ArgumentException($"EfConstruction must be positive, got {EfConstruction}.", nameof(EfConstruction));
        }
        if (EfSearch < 1)
        {
            throw new ArgumentException($"EfSearch must be positive, got {EfSearch}.", nameof(EfSearch));
        }
        if (!Enum.IsDefined(Metric))
        {
            throw new ArgumentException($"Unknown metric {(int)Metric}.", nameof(Metric));
        }
        if (!Enum.IsDefined(Quantization))
        {
            throw new ArgumentException($"Unknown quantization {(int)Quantization}.", nameof(Quantization));
        }
    }
}
