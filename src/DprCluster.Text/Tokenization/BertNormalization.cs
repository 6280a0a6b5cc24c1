namespace DprCluster.Text.Tokenization;

/// <summary>The flags of Hugging Face's <c>BertNormalizer</c>, with <c>strip_accents</c> already resolved.</summary>
/// <param name="CleanText">Delete control characters and turn every white space into a plain space.</param>
/// <param name="HandleChineseChars">Put spaces around CJK ideographs so each becomes its own word.</param>
/// <param name="StripAccents">Decompose canonically (NFD) and delete non-spacing marks.</param>
/// <param name="Lowercase">Lower-case every character.</param>
internal readonly record struct BertNormalization(bool CleanText, bool HandleChineseChars, bool StripAccents, bool Lowercase)
{
    /// <summary>Resolves a missing <c>strip_accents</c> the way Hugging Face does: it follows <c>lowercase</c>.</summary>
    public static BertNormalization Create(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase) =>
        new(cleanText, handleChineseChars, stripAccents ?? lowercase, lowercase);
}
