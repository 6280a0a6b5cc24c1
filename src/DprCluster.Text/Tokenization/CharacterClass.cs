namespace DprCluster.Text.Tokenization;

/// <summary>How Hugging Face's BERT normaliser and pre-tokeniser treat one code point.</summary>
[Flags]
internal enum CharacterClass : byte
{
    None = 0,

    /// <summary>Control, format or private-use character (or NUL, U+FFFD) that text cleaning deletes.</summary>
    Removed = 1,

    /// <summary>White space: cleaning turns it into a space, pre-tokenisation splits on it.</summary>
    Whitespace = 2,

    /// <summary>Punctuation (Unicode P* or ASCII punctuation): pre-tokenisation isolates it.</summary>
    Punctuation = 4,

    /// <summary>Non-spacing mark (Mn): accent stripping deletes it after canonical decomposition.</summary>
    NonspacingMark = 8,

    /// <summary>CJK ideograph that gets spaces around it.</summary>
    Chinese = 16,

    /// <summary>Lower-casing maps it to something else.</summary>
    HasLowercase = 32,

    /// <summary>Canonical decomposition (NFD) maps it to something else.</summary>
    HasDecomposition = 64,

    /// <summary>Non-zero canonical combining class: canonical ordering may move it.</summary>
    NonStarter = 128,
}
