namespace DprCluster.Text.Bm25;

/// <summary>
/// The length normaliser k1·(1 − b + b·dl / avgdl), rewritten as <c>Constant + Slope·dl</c> so each posting costs
/// one multiply-add.
/// </summary>
internal readonly struct LengthNormalization
{
    private readonly float _constant;
    private readonly float _slope;

    public LengthNormalization(Bm25Parameters parameters, long documentCount, long totalLength)
    {
        double averageLength = documentCount == 0 ? 0 : (double)totalLength / documentCount;
        _constant = parameters.K1 * (1 - parameters.B);
        _slope = averageLength > 0 ? (float)(parameters.K1 * parameters.B / averageLength) : 0f;
    }

    /// <summary>The normaliser for a document of (possibly quantised) length <paramref name="length"/>.</summary>
    public float Of(float length) => _constant + _slope * length;
}
