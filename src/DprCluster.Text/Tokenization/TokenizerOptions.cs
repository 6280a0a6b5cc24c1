namespace DprCluster.Text.Tokenization;

/// <summary>Per-call encoding options: length limit, truncation strategy and token types.</summary>
public sealed record TokenizerOptions
{
    private readonly int _maxLength = 512;

    /// <summary>BERT defaults: at most 512 tokens, longest-first truncation, segment token types.</summary>
    public static TokenizerOptions Default { get; } = new();

    /// <summary>DPR conventions: at most 256 tokens, longest-first truncation, all-zero token types.</summary>
    public static TokenizerOptions Dpr { get; } = new() { MaxLength = 256, TokenTypes = TokenTypeMode.Zeros };

    /// <summary>
    /// The most tokens an encoding may have, special tokens included; longer input is truncated. Use
    /// <see cref="int.MaxValue"/> for no limit. At least 2 for single sequences and 3 for pairs.
    /// </summary>
    public int MaxLength
    {
        get => _maxLength;
        init => _maxLength = value >= 2 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxLength), value, "MaxLength must be at least 2 ([CLS] and [SEP]).");
    }

    /// <summary>Which sequence loses tokens when the input is too long.</summary>
    public TruncationStrategy Truncation { get; init; } = TruncationStrategy.LongestFirst;

    /// <summary>How token type ids are filled.</summary>
    public TokenTypeMode TokenTypes { get; init; } = TokenTypeMode.Segments;
}
