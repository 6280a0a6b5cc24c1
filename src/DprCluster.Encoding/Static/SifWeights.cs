namespace DprCluster.Encoders.Static;

/// <summary>
/// Smooth inverse frequency weights (Arora et al., 2017): weight(w) = a / (a + p(w)). The word vectors carry no counts,
/// only frequency ranks, so p(w) comes from Zipf's law on the rank r (0-based): p = 1 / ((r + 1) · H_N), with H_N the
/// N-th harmonic number so the probabilities sum to one. With a = 1e-3, "the" weighs about 0.013 and words past
/// rank ~10,000 weigh above 0.99.
/// </summary>
public static class SifWeights
{
    /// <summary>The SIF smoothing constant used by default (the paper's recommended range is 1e-4 to 1e-3).</summary>
    public const double DefaultSmoothing = 1e-3;

    /// <summary>Weights for ranks 0 .. <paramref name="count"/> - 1.</summary>
    public static float[] FromRanks(int count, double smoothing = DefaultSmoothing)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(smoothing);
        double harmonic = 0;
        for (int r = 1; r <= count; r++)
        {
            harmonic += 1.0 / r;
        }
        var weights = new float[count];
        for (int r = 0; r < count; r++)
        {
            double probability = 1.0 / ((r + 1) * harmonic);
            weights[r] = (float)(smoothing / (smoothing + probability));
        }
        return weights;
    }
}
