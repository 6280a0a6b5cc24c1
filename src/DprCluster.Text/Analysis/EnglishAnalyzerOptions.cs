namespace DprCluster.Text.Analysis;

/// <summary>
/// Which filters <see cref="EnglishAnalyzer"/> applies after standard tokenisation and lower-casing. The defaults
/// reproduce Lucene's <c>EnglishAnalyzer</c> (and Anserini's default analyzer).
/// </summary>
public sealed record EnglishAnalyzerOptions
{
    /// <summary>Strips a trailing <c>'s</c> (also with U+2019 or U+FF07 as the apostrophe).</summary>
    public bool RemovePossessives { get; init; } = true;

    /// <summary>Drops <see cref="EnglishStopWords"/>.</summary>
    public bool RemoveStopWords { get; init; } = true;

    /// <summary>Applies the <see cref="PorterStemmer"/>.</summary>
    public bool Stem { get; init; } = true;

    /// <summary>
    /// A stable description of the options, stored in index files so an index is never queried with an analyzer
    /// that differs from the one that built it.
    /// </summary>
    public string Signature =>
        $"english-v1;possessives={OnOff(RemovePossessives)};stop={OnOff(RemoveStopWords)};porter={OnOff(Stem)}";

    /// <summary>The options a <see cref="Signature"/> describes; throws <see cref="FormatException"/> for anything else.</summary>
    public static EnglishAnalyzerOptions FromSignature(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        foreach (bool possessives in (bool[])[true, false])
        {
            foreach (bool stop in (bool[])[true, false])
            {
                foreach (bool stem in (bool[])[true, false])
                {
                    var options = new EnglishAnalyzerOptions { RemovePossessives = possessives, RemoveStopWords = stop, Stem = stem };
                    if (options.Signature == signature)
                    {
                        return options;
                    }
                }
            }
        }
        throw new FormatException($"unknown analyzer signature '{signature}'");
    }

    private static string OnOff(bool value) => value ? "on" : "off";
}
