namespace DprCluster.Text.Analysis;

/// <summary>
/// The Unicode Word_Break property values (UAX #29) that Lucene's StandardTokenizer grammar distinguishes, plus the
/// script classes it emits as their own tokens (Han, Hiragana, South-East Asian runs, emoji).
/// </summary>
internal enum WordBreakClass : byte
{
    Other,
    CarriageReturn,
    LineFeed,
    Newline,
    Extend,
    Format,
    ZeroWidthJoiner,
    ALetter,
    HebrewLetter,
    Numeric,
    Katakana,
    MidLetter,
    MidNum,
    MidNumLet,
    SingleQuote,
    DoubleQuote,
    ExtendNumLet,
    RegionalIndicator,
    Han,
    Hiragana,
    ComplexContext,
    Emoji,
    EmojiModifier,
}
