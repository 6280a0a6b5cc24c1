namespace DprCluster.Encoders.Static;

/// <summary>
/// The lexical channel of a trained word-vector tower: each distinct word of a text as ±1 in its hashed bucket
/// (<see cref="WordHashing"/>), weighted by its SIF weight times the channel's weight for its frequency bucket,
/// L2-normalised, times <see cref="Scale"/>, and appended to the word-vector part before the final normalisation.
/// Averaged word vectors blur a question's rare words into their neighbours; this channel adds a weighted word-overlap
/// term to the dot product, for words training never saw too.
/// </summary>
/// <param name="Dimensions">Hashed buckets, appended after the word-vector dimensions.</param>
/// <param name="Scale">
/// The channel's weight beside the word-vector part (each part is a unit vector before it); the two towers' scales
/// multiply in the dot product, so only their product's sign matters.
/// </param>
/// <param name="FrequencyWeights">The channel's weight per frequency bucket (<see cref="FrequencyBuckets"/>), multiplying SIF.</param>
public sealed record HashedWordChannel(int Dimensions, float Scale, IReadOnlyList<float> FrequencyWeights)
{
    /// <summary>Most buckets a channel may have: the vectors stay a few pages long.</summary>
    public const int MaxDimensions = 16_384;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (Dimensions is < 1 or > MaxDimensions)
        {
            throw new ArgumentException($"A hashed-word channel has 1 to {MaxDimensions} dimensions, not {Dimensions}.");
        }
        if (!float.IsFinite(Scale))
        {
            throw new ArgumentException($"A hashed-word channel's scale must be a finite number, not {Scale}.");
        }
        if (FrequencyWeights.Count != FrequencyBuckets.Count)
        {
            throw new ArgumentException($"Frequency weights come {FrequencyBuckets.Count} to a channel, not {FrequencyWeights.Count}.");
        }
    }
}
