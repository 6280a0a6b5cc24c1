namespace DprCluster.Text.Fusion;

/// <summary>
/// How <see cref="LinearFusion"/> puts each list's scores on a common scale before weighting. When every score in a
/// list is equal, either normalisation gives its documents 1 and documents missing from it 0.
/// </summary>
public enum ScoreNormalization
{
    /// <summary>Raw scores.</summary>
    None,

    /// <summary>(s − min) / (max − min) over the list.</summary>
    MinMax,

    /// <summary>(s − mean) / standard deviation (population) over the list.</summary>
    ZScore,
}
