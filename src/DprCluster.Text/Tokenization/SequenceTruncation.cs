namespace DprCluster.Text.Tokenization;

/// <summary>Hugging Face's <c>truncate_encodings</c>: how many tokens of each sequence survive truncation.</summary>
internal static class SequenceTruncation
{
    /// <summary>The kept lengths of the first and second sequence (0 when there is none).</summary>
    /// <param name="first">Tokens of the first sequence.</param>
    /// <param name="second">Tokens of the second sequence; ignored unless <paramref name="isPair"/>.</param>
    /// <param name="isPair">Whether a second sequence exists.</param>
    /// <param name="budget">The length limit minus the special tokens.</param>
    /// <param name="strategy">Which sequence gives way.</param>
    /// <exception cref="ArgumentException">The strategy cannot reach the budget.</exception>
    public static (int First, int Second) KeptLengths(int first, int second, bool isPair, int budget, TruncationStrategy strategy)
    {
        if (!isPair)
        {
            second = 0;
        }

        if (budget == 0)
        {
            return (0, 0);
        }

        var total = (long)first + second;
        if (total <= budget)
        {
            return (first, second);
        }

        var excess = (int)(total - budget);
        switch (strategy)
        {
            case TruncationStrategy.LongestFirst when isPair:
                return LongestFirst(first, second, budget);
            case TruncationStrategy.LongestFirst:
                return (budget, 0);
            case TruncationStrategy.OnlyFirst when first > excess:
                return (first - excess, second);
            case TruncationStrategy.OnlySecond when !isPair:
                throw new ArgumentException(
                    "Truncation 'only_second' needs a second sequence, but a single sequence exceeds MaxLength.");
            case TruncationStrategy.OnlySecond when second > excess:
                return (first, second - excess);
            default:
                throw new ArgumentException(
                    $"Truncation '{strategy}' cannot fit {first} + {second} tokens into {budget}: the sequence it may shorten is too short.");
        }
    }

    // Keep the shorter sequence whole if the longer one can absorb the cut; otherwise split the budget evenly,
    // the extra odd token going to the longer sequence.
    private static (int First, int Second) LongestFirst(int first, int second, int budget)
    {
        var swapped = first > second;
        var (shorter, longer) = swapped ? (second, first) : (first, second);
        longer = shorter > budget ? shorter : Math.Max(shorter, budget - shorter);
        if ((long)shorter + longer > budget)
        {
            shorter = budget / 2;
            longer = shorter + (budget % 2);
        }

        return swapped ? (longer, shorter) : (shorter, longer);
    }
}
