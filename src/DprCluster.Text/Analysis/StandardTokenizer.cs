namespace DprCluster.Text.Analysis;

/// <summary>
/// Word segmentation after Unicode UAX #29 as Lucene's <c>StandardTokenizer</c> applies it: yields words made of
/// letters and digits (keeping <c>don't</c>, <c>U.S.A</c>, <c>3.14</c>, <c>1,000</c> and <c>foo_bar</c> whole), single
/// Han ideographs and Hiragana characters, Katakana runs, South-East Asian script runs and emoji sequences, and drops
/// whitespace, punctuation and other symbols. Tokens longer than <see cref="MaxTokenLength"/> are cut into pieces.
/// Word_Break classes come from <see cref="WordBreakProperty"/> (general categories plus explicit ranges), so rare
/// scripts and symbols may differ from Lucene's generated tables.
/// </summary>
public ref struct StandardTokenizer
{
    /// <summary>Lucene's default maximum token length, in UTF-16 code units.</summary>
    public const int MaxTokenLength = 255;

    private readonly ReadOnlySpan<char> _text;
    private int _position;
    private int _segmentEnd;

    /// <summary>Starts segmenting <paramref name="text"/>.</summary>
    public StandardTokenizer(ReadOnlySpan<char> text)
    {
        _text = text;
        _position = 0;
        _segmentEnd = 0;
    }

    /// <summary>
    /// Advances to the next token; <paramref name="start"/> and <paramref name="length"/> locate it in the text.
    /// </summary>
    public bool MoveNext(out int start, out int length)
    {
        if (_position < _segmentEnd)
        {
            return EmitPiece(out start, out length);
        }
        while (_position < _text.Length)
        {
            int unitStart = _position;
            WordBreakClass cls = ReadUnit(unitStart, out int unitEnd);
            int end = cls switch
            {
                WordBreakClass.ALetter or WordBreakClass.HebrewLetter or WordBreakClass.Numeric
                    or WordBreakClass.Katakana or WordBreakClass.ExtendNumLet => ScanWord(cls, unitEnd),
                WordBreakClass.Han or WordBreakClass.Hiragana => unitEnd,
                WordBreakClass.ComplexContext => ScanRun(WordBreakClass.ComplexContext, unitEnd),
                WordBreakClass.Emoji or WordBreakClass.EmojiModifier => ScanEmoji(unitEnd),
                WordBreakClass.RegionalIndicator => ScanFlag(unitEnd),
                _ => IsKeycap(unitStart, unitEnd) ? unitEnd : -1,
            };
            if (end < 0)
            {
                _position = unitEnd;
                continue;
            }
            _position = unitStart;
            _segmentEnd = end;
            return EmitPiece(out start, out length);
        }
        start = _text.Length;
        length = 0;
        return false;
    }

    private bool EmitPiece(out int start, out int length)
    {
        start = _position;
        length = Math.Min(_segmentEnd - _position, MaxTokenLength);
        if (start + length < _segmentEnd && char.IsHighSurrogate(_text[start + length - 1]))
        {
            length--;
        }
        _position = start + length;
        return true;
    }

    // One code point plus the Extend / Format / ZWJ characters that attach to it (UAX #29 rule WB4).
    private readonly WordBreakClass ReadUnit(int index, out int end)
    {
        WordBreakClass cls = WordBreakProperty.At(_text, index, out end);
        if (cls is WordBreakClass.CarriageReturn or WordBreakClass.LineFeed or WordBreakClass.Newline)
        {
            return cls;
        }
        while (end < _text.Length)
        {
            WordBreakClass next = WordBreakProperty.At(_text, end, out int after);
            if (next is not (WordBreakClass.Extend or WordBreakClass.Format or WordBreakClass.ZeroWidthJoiner))
            {
                break;
            }
            end = after;
        }
        return cls;
    }

    private readonly WordBreakClass PeekUnit(int index, out int end)
    {
        if (index >= _text.Length)
        {
            end = index;
            return WordBreakClass.Other;
        }
        return ReadUnit(index, out end);
    }

    // Letters, digits, Katakana and connectors joined by rules WB5 to WB13b; returns the end of the segment, or -1
    // when it holds connectors only.
    private readonly int ScanWord(WordBreakClass first, int end)
    {
        WordBreakClass current = first;
        bool hasContent = first != WordBreakClass.ExtendNumLet;
        while (true)
        {
            WordBreakClass next = PeekUnit(end, out int nextEnd);
            if (JoinsDirectly(current, next))
            {
                current = next;
                end = nextEnd;
                hasContent |= next != WordBreakClass.ExtendNumLet;
                continue;
            }
            if (IsMiddle(next))
            {
                WordBreakClass after = PeekUnit(nextEnd, out int afterEnd);
                if (JoinsAcrossMiddle(current, next, after))
                {
                    current = after;
                    end = afterEnd;
                    continue;
                }
            }
            if (current == WordBreakClass.HebrewLetter && next == WordBreakClass.SingleQuote)
            {
                end = nextEnd;
                current = next;
                continue;
            }
            return hasContent ? end : -1;
        }
    }

    private static bool IsLetter(WordBreakClass c) => c is WordBreakClass.ALetter or WordBreakClass.HebrewLetter;

    private static bool IsMiddle(WordBreakClass c) =>
        c is WordBreakClass.MidLetter or WordBreakClass.MidNum or WordBreakClass.MidNumLet
            or WordBreakClass.SingleQuote or WordBreakClass.DoubleQuote;

    private static bool JoinsDirectly(WordBreakClass left, WordBreakClass right)
    {
        bool leftWord = IsLetter(left) || left == WordBreakClass.Numeric;
        bool rightWord = IsLetter(right) || right == WordBreakClass.Numeric;
        if (leftWord && rightWord)
        {
            return true; // WB5, WB8, WB9, WB10
        }
        if (left == WordBreakClass.Katakana && right == WordBreakClass.Katakana)
        {
            return true; // WB13
        }
        if (right == WordBreakClass.ExtendNumLet)
        {
            return leftWord || left is WordBreakClass.Katakana or WordBreakClass.ExtendNumLet; // WB13a
        }
        return left == WordBreakClass.ExtendNumLet && (rightWord || right == WordBreakClass.Katakana); // WB13b
    }

    private static bool JoinsAcrossMiddle(WordBreakClass left, WordBreakClass middle, WordBreakClass right)
    {
        if (IsLetter(left) && IsLetter(right))
        {
            // WB6, WB7 (MidLetter | MidNumLetQ); WB7b, WB7c (Hebrew " Hebrew).
            return middle is WordBreakClass.MidLetter or WordBreakClass.MidNumLet or WordBreakClass.SingleQuote
                || (middle == WordBreakClass.DoubleQuote && left == WordBreakClass.HebrewLetter
                    && right == WordBreakClass.HebrewLetter);
        }
        // WB11, WB12 (MidNum | MidNumLetQ).
        return left == WordBreakClass.Numeric && right == WordBreakClass.Numeric
            && middle is WordBreakClass.MidNum or WordBreakClass.MidNumLet or WordBreakClass.SingleQuote;
    }

    private readonly int ScanRun(WordBreakClass cls, int end)
    {
        while (PeekUnit(end, out int nextEnd) == cls)
        {
            end = nextEnd;
        }
        return end;
    }

    // An emoji with its modifiers, joined to following emoji by zero-width joiners (UTS #51 emoji_zwj_sequence).
    private readonly int ScanEmoji(int end)
    {
        while (true)
        {
            WordBreakClass next = PeekUnit(end, out int nextEnd);
            bool joined = _text[end - 1] == '\u200D' && next is WordBreakClass.Emoji or WordBreakClass.EmojiModifier;
            if (!joined && next != WordBreakClass.EmojiModifier)
            {
                return end;
            }
            end = nextEnd;
        }
    }

    // '#' or '*', an optional emoji presentation selector, then the combining keycap (digits are words anyway).
    private readonly bool IsKeycap(int start, int end)
    {
        int keycap = start + 1 < end && _text[start + 1] == '\uFE0F' ? start + 2 : start + 1;
        return _text[start] is '#' or '*' && keycap < end && _text[keycap] == '\u20E3';
    }

    // Two regional indicators make a flag; a lone one is dropped.
    private readonly int ScanFlag(int end) =>
        PeekUnit(end, out int nextEnd) == WordBreakClass.RegionalIndicator ? nextEnd : -1;
}
