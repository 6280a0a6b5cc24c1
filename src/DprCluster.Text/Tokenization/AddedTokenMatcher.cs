using System.Buffers;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// Finds added tokens in text with Hugging Face's semantics: leftmost match first, the longest token at that
/// position, non-overlapping, optionally swallowing white space on either side. Immutable and thread-safe.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly AddedToken[] _longestFirst;
    private readonly SearchValues<char> _firstUnits;
    private readonly BertCharacterTable _table;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens, BertCharacterTable table)
    {
        _longestFirst = [.. tokens.Where(t => t.Content.Length > 0).OrderByDescending(t => t.Content.Length)];
        _firstUnits = SearchValues.Create([.. _longestFirst.Select(t => t.Content[0]).Distinct()]);
        _table = table;
    }

    /// <summary>True when there is nothing to match.</summary>
    public bool IsEmpty => _longestFirst.Length == 0;

    /// <summary>
    /// Finds the next added token at or after <paramref name="from"/>; <paramref name="start"/> and
    /// <paramref name="end"/> include swallowed white space, which never reaches back before <paramref name="from"/>.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> text, int from, out int start, out int end, out int id)
    {
        var position = from;
        while (position < text.Length)
        {
            var skip = text[position..].IndexOfAny(_firstUnits);
            if (skip < 0)
            {
                break;
            }

            position += skip;
            foreach (var token in _longestFirst)
            {
                if (text[position..].StartsWith(token.Content, StringComparison.Ordinal))
                {
                    start = position;
                    end = position + token.Content.Length;
                    id = token.Id;
                    if (token.LeftStrip)
                    {
                        while (start > from && IsWhitespace(text[start - 1]))
                        {
                            start--;
                        }
                    }

                    if (token.RightStrip)
                    {
                        while (end < text.Length && IsWhitespace(text[end]))
                        {
                            end++;
                        }
                    }

                    return true;
                }
            }

            position++;
        }

        start = end = id = 0;
        return false;
    }

    private bool IsWhitespace(char unit) =>
        !char.IsSurrogate(unit) && _table.Classify(unit).HasFlag(CharacterClass.Whitespace);
}
