using System.Collections.Frozen;

namespace DprCluster.Text.Analysis;

/// <summary>
/// Lucene's English stop words (<c>EnglishAnalyzer.ENGLISH_STOP_WORDS_SET</c>), the 33 words Anserini removes when it
/// builds its BEIR indexes.
/// </summary>
public static class EnglishStopWords
{
    /// <summary>The words, lower-case.</summary>
    public static FrozenSet<string> Words { get; } = FrozenSet.ToFrozenSet(
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> SpanLookup =
        Words.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when <paramref name="term"/> (already lower-cased) is a stop word.</summary>
    public static bool Contains(ReadOnlySpan<char> term) => term.Length <= 5 && SpanLookup.Contains(term);
}
