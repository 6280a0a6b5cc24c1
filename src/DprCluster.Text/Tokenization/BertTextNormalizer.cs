using System.Text;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// Hugging Face's <c>BertNormalizer</c>: clean text, pad CJK ideographs, strip accents (NFD minus non-spacing
/// marks), lower-case, in that order. ASCII goes through a lookup table; other text takes the exact slow path.
/// Immutable and thread-safe.
/// </summary>
internal sealed class BertTextNormalizer
{
    private const char DroppedAscii = '\uFFFF';

    private readonly BertNormalization _settings;
    private readonly BertCharacterTable _table;
    private readonly char[] _asciiMap = new char[128];

    public BertTextNormalizer(BertNormalization settings, BertCharacterTable table)
    {
        _settings = settings;
        _table = table;
        for (var c = 0; c < 128; c++)
        {
            var cls = table.Classify(c);
            _asciiMap[c] = settings.CleanText && (c == 0 || cls.HasFlag(CharacterClass.Removed)) ? DroppedAscii
                : settings.CleanText && cls.HasFlag(CharacterClass.Whitespace) ? ' '
                : settings.Lowercase ? char.ToLowerInvariant((char)c)
                : (char)c;
        }
    }

    /// <summary>Appends the normalised form of <paramref name="text"/> to <paramref name="output"/>.</summary>
    /// <param name="text">Raw text.</param>
    /// <param name="output">Receives UTF-16 normalised text.</param>
    /// <param name="scratch">Code-point scratch space, reused across calls.</param>
    public void Normalize(ReadOnlySpan<char> text, ref GrowableBuffer<char> output, ref GrowableBuffer<int> scratch)
    {
        var i = 0;
        while (i < text.Length)
        {
            // ASCII never decomposes, combines or reorders, so it is mapped one to one.
            var room = output.Reserve(text.Length - i);
            var written = 0;
            while (i < text.Length && text[i] < 128)
            {
                var mapped = _asciiMap[text[i++]];
                if (mapped != DroppedAscii)
                {
                    room[written++] = mapped;
                }
            }

            output.Advance(written);
            if (i < text.Length)
            {
                var end = EndOfSlowRun(text, i);
                NormalizeSlowRun(text[i..end], ref output, ref scratch);
                i = end;
            }
        }
    }

    // A slow run ends at the first ASCII character that survives cleaning: such a character is a starter that
    // canonical ordering never moves across. Deleted ASCII controls stay inside, as they vanish before NFD.
    private int EndOfSlowRun(ReadOnlySpan<char> text, int start)
    {
        var end = start;
        while (end < text.Length && (text[end] >= 128 || _asciiMap[text[end]] == DroppedAscii))
        {
            end++;
        }

        return end;
    }

    private void NormalizeSlowRun(ReadOnlySpan<char> run, ref GrowableBuffer<char> output, ref GrowableBuffer<int> codePoints)
    {
        codePoints.Clear();
        var offset = 0;
        while (offset < run.Length)
        {
            // Unpaired surrogates cannot exist in the reference's UTF-8 strings; they arrive there as U+FFFD.
            Rune.DecodeFromUtf16(run[offset..], out var rune, out var consumed);
            offset += consumed;
            var codePoint = rune.Value;
            var cls = _table.Classify(codePoint);
            if (_settings.CleanText)
            {
                if (codePoint is 0 or 0xFFFD || cls.HasFlag(CharacterClass.Removed))
                {
                    continue;
                }

                if (cls.HasFlag(CharacterClass.Whitespace))
                {
                    codePoint = ' ';
                    cls = CharacterClass.Whitespace;
                }
            }

            var padded = _settings.HandleChineseChars && cls.HasFlag(CharacterClass.Chinese);
            if (padded)
            {
                codePoints.Add(' ');
            }

            if (_settings.StripAccents && cls.HasFlag(CharacterClass.HasDecomposition))
            {
                _table.AppendDecomposition(codePoint, ref codePoints);
            }
            else
            {
                codePoints.Add(codePoint);
            }

            if (padded)
            {
                codePoints.Add(' ');
            }
        }

        if (_settings.StripAccents)
        {
            OrderCanonically(codePoints.Written);
            RemoveNonspacingMarks(ref codePoints);
        }

        foreach (var codePoint in codePoints.Written)
        {
            if (_settings.Lowercase && _table.Classify(codePoint).HasFlag(CharacterClass.HasLowercase))
            {
                foreach (var lowered in _table.LowercaseOf(codePoint))
                {
                    AppendUtf16(lowered, ref output);
                }
            }
            else
            {
                AppendUtf16(codePoint, ref output);
            }
        }
    }

    // Canonical ordering: a stable sort by combining class within each run of non-starters.
    private void OrderCanonically(Span<int> codePoints)
    {
        for (var i = 1; i < codePoints.Length; i++)
        {
            var current = codePoints[i];
            var rank = RankOf(current);
            if (rank == 0)
            {
                continue;
            }

            var j = i;
            while (j > 0 && RankOf(codePoints[j - 1]) > rank)
            {
                codePoints[j] = codePoints[j - 1];
                j--;
            }

            codePoints[j] = current;
        }
    }

    private int RankOf(int codePoint) =>
        _table.Classify(codePoint).HasFlag(CharacterClass.NonStarter) ? _table.CombiningRank(codePoint) : 0;

    private void RemoveNonspacingMarks(ref GrowableBuffer<int> codePoints)
    {
        var kept = 0;
        var all = codePoints.Written;
        foreach (var codePoint in all)
        {
            if (!_table.Classify(codePoint).HasFlag(CharacterClass.NonspacingMark))
            {
                all[kept++] = codePoint;
            }
        }

        codePoints.Truncate(kept);
    }

    private static void AppendUtf16(int codePoint, ref GrowableBuffer<char> output)
    {
        if (codePoint < 0x10000)
        {
            output.Add((char)codePoint);
        }
        else
        {
            var room = output.Reserve(2);
            new Rune(codePoint).EncodeToUtf16(room);
            output.Advance(2);
        }
    }
}
