using System.Globalization;
using System.Text;
using DprCluster.Text.Tokenization;

namespace DprCluster.Text.Metrics;

/// <summary>
/// DPR's answer check for top-k retrieval accuracy (<c>has_answer</c> with match type "string"): passage and answer
/// are split like DPR's <c>SimpleTokenizer</c> — runs of letters, digits and combining marks are words, every other
/// character except separators and control characters is a word by itself — lower-cased, and the answer matches when
/// its words occur contiguously among the passage's. Both sides are first put in Unicode NFD, as DPR does (the
/// runtime's invariant globalization mode has no normalisation data, so the decompositions and combining classes
/// come from the tokenizer's Unicode tables). An answer with no words never matches.
/// </summary>
public static class DprAnswerMatching
{
    /// <summary>The lower-cased words of <paramref name="text"/> after NFD.</summary>
    public static string[] Tokenize(ReadOnlySpan<char> text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (Rune rune in CanonicalDecomposition(text).EnumerateRunes())
        {
            switch (Classify(Rune.GetUnicodeCategory(rune)))
            {
                case RuneKind.WordPart:
                    word.Append(rune.ToString());
                    continue;
                case RuneKind.Symbol:
                    Flush(word, words);
                    words.Add(rune.ToString().ToLowerInvariant());
                    continue;
                default:
                    Flush(word, words);
                    continue;
            }
        }
        Flush(word, words);
        return [.. words];
    }

    /// <summary>True when any answer's words occur contiguously in the passage's words.</summary>
    public static bool ContainsAnswer(IReadOnlyList<string> passageWords, IEnumerable<string[]> answersWords)
    {
        ArgumentNullException.ThrowIfNull(passageWords);
        ArgumentNullException.ThrowIfNull(answersWords);
        foreach (string[] answer in answersWords)
        {
            if (answer.Length == 0)
            {
                continue;
            }
            for (int start = 0; start + answer.Length <= passageWords.Count; start++)
            {
                int i = 0;
                while (i < answer.Length && passageWords[start + i] == answer[i])
                {
                    i++;
                }
                if (i == answer.Length)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Tokenizes both sides and checks whether <paramref name="passage"/> contains any answer.</summary>
    public static bool HasAnswer(string passage, IEnumerable<string> answers)
    {
        ArgumentNullException.ThrowIfNull(passage);
        ArgumentNullException.ThrowIfNull(answers);
        var answerWords = new List<string[]>();
        foreach (string answer in answers)
        {
            answerWords.Add(Tokenize(answer));
        }
        return ContainsAnswer(Tokenize(passage), answerWords);
    }

    private enum RuneKind
    {
        WordPart,
        Symbol,
        Skipped,
    }

    // SimpleTokenizer's classes: [\p{L}\p{N}\p{M}]+ words, [^\p{Z}\p{C}] single-character words.
    private static RuneKind Classify(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => RuneKind.WordPart,
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => RuneKind.Skipped,
        _ => RuneKind.Symbol,
    };

    // NFD: full canonical decomposition, then combining marks stably sorted by combining class between starters.
    private static string CanonicalDecomposition(ReadOnlySpan<char> text)
    {
        BertCharacterTable table = BertCharacterTable.Shared;
        var codePoints = new GrowableBuffer<int>(text.Length);
        try
        {
            foreach (Rune rune in text.EnumerateRunes())
            {
                if (table.Classify(rune.Value).HasFlag(CharacterClass.HasDecomposition))
                {
                    table.AppendDecomposition(rune.Value, ref codePoints);
                }
                else
                {
                    codePoints.Add(rune.Value);
                }
            }
            Span<int> written = codePoints.Written;
            for (int i = 1; i < written.Length; i++)
            {
                int current = written[i];
                int rank = table.CombiningRank(current);
                int j = i;
                while (rank != 0 && j > 0 && table.CombiningRank(written[j - 1]) > rank)
                {
                    written[j] = written[j - 1];
                    j--;
                }
                written[j] = current;
            }
            var result = new StringBuilder(written.Length);
            foreach (int codePoint in written)
            {
                result.Append(new Rune(codePoint).ToString());
            }
            return result.ToString();
        }
        finally
        {
            codePoints.Dispose();
        }
    }

    private static void Flush(StringBuilder word, List<string> words)
    {
        if (word.Length > 0)
        {
            words.Add(word.ToString().ToLowerInvariant());
            word.Clear();
        }
    }
}
