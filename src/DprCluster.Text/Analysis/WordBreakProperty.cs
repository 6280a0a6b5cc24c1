using System.Globalization;

namespace DprCluster.Text.Analysis;

/// <summary>
/// Assigns a <see cref="WordBreakClass"/> to each code point. .NET ships no Word_Break table, so the classes are
/// derived from the general category plus the explicit code points and script ranges that UAX #29 (Unicode 9, the
/// version Lucene's grammar is generated from) lists for the punctuation classes, Katakana, Hebrew, Han, Hiragana,
/// South-East Asian scripts and emoji. The Basic Multilingual Plane is precomputed into a 64 KiB table.
/// </summary>
internal static class WordBreakProperty
{
    private static readonly WordBreakClass[] BasicPlane = BuildBasicPlane();

    /// <summary>Class of the code point that starts at <paramref name="index"/>; <paramref name="next"/> is the index after it.</summary>
    public static WordBreakClass At(ReadOnlySpan<char> text, int index, out int next)
    {
        char c = text[index];
        if (!char.IsHighSurrogate(c) || index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]))
        {
            next = index + 1;
            return BasicPlane[c];
        }
        next = index + 2;
        return Compute(char.ConvertToUtf32(c, text[index + 1]));
    }

    private static WordBreakClass[] BuildBasicPlane()
    {
        var table = new WordBreakClass[0x10000];
        for (int cp = 0; cp < table.Length; cp++)
        {
            table[cp] = cp is >= 0xD800 and <= 0xDFFF ? WordBreakClass.Other : Compute(cp);
        }
        return table;
    }

    /// <summary>The class of one code point (not a surrogate).</summary>
    public static WordBreakClass Compute(int cp)
    {
        switch (cp)
        {
            case 0x0A: return WordBreakClass.LineFeed;
            case 0x0D: return WordBreakClass.CarriageReturn;
            case 0x0B or 0x0C or 0x85 or 0x2028 or 0x2029: return WordBreakClass.Newline;
            case 0x22: return WordBreakClass.DoubleQuote;
            case 0x27: return WordBreakClass.SingleQuote;
            case 0x2E or 0x2018 or 0x2019 or 0x2024 or 0xFE52 or 0xFF07 or 0xFF0E: return WordBreakClass.MidNumLet;
            case 0x3A or 0xB7 or 0x387 or 0x5F4 or 0x2027 or 0xFE13 or 0xFE55 or 0xFF1A: return WordBreakClass.MidLetter;
            case 0x2C or 0x3B or 0x37E or 0x589 or 0x60C or 0x60D or 0x66C or 0x7F8 or 0x2044
                or 0xFE10 or 0xFE14 or 0xFE50 or 0xFE54 or 0xFF0C or 0xFF1B:
                return WordBreakClass.MidNum;
            case 0x200D: return WordBreakClass.ZeroWidthJoiner;
            case 0x200C: return WordBreakClass.Extend;
            case 0x200B: return WordBreakClass.Other;
            case 0x202F: return WordBreakClass.ExtendNumLet;
            case 0xA9 or 0xAE or 0x203C or 0x2049 or 0x2122 or 0x2139 or 0x231A or 0x231B or 0x2328 or 0x2388
                or 0x23CF or 0x24C2 or 0x25AA or 0x25AB or 0x25B6 or 0x25C0 or 0x2934 or 0x2935 or 0x2B1B or 0x2B1C
                or 0x2B50 or 0x2B55 or 0x3030 or 0x303D or 0x3297 or 0x3299:
                return WordBreakClass.Emoji;
        }

        if (cp is >= 0x1F1E6 and <= 0x1F1FF)
        {
            return WordBreakClass.RegionalIndicator;
        }
        if (cp is >= 0x1F3FB and <= 0x1F3FF)
        {
            return WordBreakClass.EmojiModifier;
        }

        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(cp);
        if (IsPictographic(cp, category))
        {
            return WordBreakClass.Emoji;
        }
        bool letter = category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.LetterNumber;
        bool mark = category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.EnclosingMark;

        if (IsKatakana(cp) && (letter || category is UnicodeCategory.ModifierSymbol))
        {
            return WordBreakClass.Katakana;
        }
        if (IsHiragana(cp) && letter)
        {
            return WordBreakClass.Hiragana;
        }
        if (IsHan(cp) && (letter || category is UnicodeCategory.OtherSymbol))
        {
            return WordBreakClass.Han;
        }
        if (IsHebrewLetter(cp) && letter)
        {
            return WordBreakClass.HebrewLetter;
        }
        if (IsComplexContext(cp) && (letter || mark))
        {
            return WordBreakClass.ComplexContext;
        }

        if (letter)
        {
            return WordBreakClass.ALetter;
        }
        return category switch
        {
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                => WordBreakClass.Extend,
            UnicodeCategory.Format => WordBreakClass.Format,
            UnicodeCategory.DecimalDigitNumber => WordBreakClass.Numeric,
            UnicodeCategory.ConnectorPunctuation => WordBreakClass.ExtendNumLet,
            _ => WordBreakClass.Other,
        };
    }

    // Extended_Pictographic, as far as general categories allow: the symbol blocks that hold emoji.
    private static bool IsPictographic(int cp, UnicodeCategory category) =>
        cp switch
        {
            >= 0x2194 and <= 0x2199 or >= 0x21A9 and <= 0x21AA or >= 0x23E9 and <= 0x23F3 or >= 0x23F8 and <= 0x23FA
                or >= 0x25FB and <= 0x25FE or >= 0x2B05 and <= 0x2B07 => true,
            >= 0x2600 and <= 0x27BF => category == UnicodeCategory.OtherSymbol,
            >= 0x1F000 and <= 0x1FAFF => category is UnicodeCategory.OtherSymbol or UnicodeCategory.OtherNotAssigned,
            >= 0x1FC00 and <= 0x1FFFD => true,
            _ => false,
        };

    private static bool IsKatakana(int cp) =>
        cp is >= 0x30A0 and <= 0x30FA or >= 0x30FC and <= 0x30FF or >= 0x31F0 and <= 0x31FF
            or >= 0x32D0 and <= 0x32FE or >= 0x3300 and <= 0x3357 or >= 0xFF66 and <= 0xFF9D
            or >= 0x3031 and <= 0x3035 or 0x309B or 0x309C or 0x1B000;

    private static bool IsHiragana(int cp) =>
        cp is >= 0x3041 and <= 0x3096 or >= 0x309D and <= 0x309F or >= 0x1B001 and <= 0x1B11F or 0x1F200;

    private static bool IsHan(int cp) =>
        cp is >= 0x2E80 and <= 0x2FDF or 0x3005 or 0x3007 or >= 0x3021 and <= 0x3029 or >= 0x3038 and <= 0x303B
            or >= 0x3400 and <= 0x4DBF or >= 0x4E00 and <= 0x9FFF or >= 0xF900 and <= 0xFAFF
            or >= 0x20000 and <= 0x3FFFF;

    private static bool IsHebrewLetter(int cp) =>
        cp is >= 0x05D0 and <= 0x05EA or >= 0x05EF and <= 0x05F2 or 0xFB1D or >= 0xFB1F and <= 0xFB28
            or >= 0xFB2A and <= 0xFB4F;

    // Line_Break = Complex_Context: Thai, Lao, Myanmar, Khmer, Tai Le, New Tai Lue, Tai Tham, Tai Viet, Ahom.
    private static bool IsComplexContext(int cp) =>
        cp is >= 0x0E00 and <= 0x0EFF or >= 0x1000 and <= 0x109F or >= 0x1780 and <= 0x17FF
            or >= 0x1950 and <= 0x19FF or >= 0x1A20 and <= 0x1AAF or >= 0xA9E0 and <= 0xA9FF
            or >= 0xAA60 and <= 0xAADF or >= 0x11700 and <= 0x1174F;
}
