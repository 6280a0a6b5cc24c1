namespace DprCluster.Encoders.Trained;

/// <summary>The <c>hashed_words</c> member of a trained towers' manifest: the towers' <see cref="Static.HashedWordChannel"/>s.</summary>
public sealed record TrainedHashedWords
{
    /// <summary>Hashed buckets of both channels.</summary>
    public required int Dimensions { get; init; }

    /// <summary>The question channel's scale.</summary>
    public required float QuestionScale { get; init; }

    /// <summary>The passage channel's scale.</summary>
    public required float PassageScale { get; init; }

    /// <summary>The question channel's weight per frequency bucket.</summary>
    public required float[] QuestionFrequencyWeights { get; init; }

    /// <summary>The passage channel's weight per frequency bucket.</summary>
    public required float[] PassageFrequencyWeights { get; init; }

    /// <summary>The question tower's channel.</summary>
    public Static.HashedWordChannel QuestionChannel() => new(Dimensions, QuestionScale, QuestionFrequencyWeights);

    /// <summary>The passage tower's channel.</summary>
    public Static.HashedWordChannel PassageChannel() => new(Dimensions, PassageScale, PassageFrequencyWeights);
}
