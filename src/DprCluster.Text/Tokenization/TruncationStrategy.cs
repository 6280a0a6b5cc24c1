namespace DprCluster.Text.Tokenization;

/// <summary>Which sequence loses tokens when an encoding exceeds <see cref="TokenizerOptions.MaxLength"/>.</summary>
public enum TruncationStrategy
{
    /// <summary>Hugging Face <c>longest_first</c>: shorten the longer sequence first, then both evenly.</summary>
    LongestFirst,

    /// <summary>Hugging Face <c>only_first</c>: only the first sequence is shortened.</summary>
    OnlyFirst,

    /// <summary>Hugging Face <c>only_second</c>: only the second sequence of a pair is shortened (DPR passages keep their title).</summary>
    OnlySecond,
}
