using System.Text;

namespace DprCluster.Text.Analysis;

/// <summary>
/// The BM25 analyzer: Lucene's <c>EnglishAnalyzer</c> chain — <see cref="StandardTokenizer"/>, English possessive
/// removal, lower-casing, <see cref="EnglishStopWords"/>, <see cref="PorterStemmer"/> — the analyzer behind
/// Anserini's and Pyserini's BEIR baselines. Immutable and thread-safe.
/// </summary>
public sealed class EnglishAnalyzer
{
    /// <summary>Size of the per-enumeration term buffer: lower-casing may lengthen a token, never beyond double.</summary>
    internal const int TermBufferLength = 2 * StandardTokenizer.MaxTokenLength + 2;

    /// <summary>An analyzer with Lucene's defaults.</summary>
    public static EnglishAnalyzer Default { get; } = new(new EnglishAnalyzerOptions());

    /// <summary>Creates an analyzer with the given filters.</summary>
    public EnglishAnalyzer(EnglishAnalyzerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The filters this analyzer applies.</summary>
    public EnglishAnalyzerOptions Options { get; }

    /// <summary>
    /// Enumerates the terms of <paramref name="text"/>: <c>foreach (ReadOnlySpan&lt;char&gt; term in analyzer.Analyze(text))</c>.
    /// Each span is valid until the next step of the enumeration.
    /// </summary>
    public AnalyzedTerms Analyze(ReadOnlySpan<char> text) => new(this, text);

    /// <summary>The terms of <paramref name="text"/> as strings; for cold paths and tests.</summary>
    public List<string> AnalyzeToList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = new List<string>();
        foreach (ReadOnlySpan<char> term in Analyze(text))
        {
            terms.Add(term.ToString());
        }
        return terms;
    }

    /// <summary>
    /// Runs the filters on one token; writes the resulting term into <paramref name="buffer"/> and returns its length,
    /// or 0 when the token is removed.
    /// </summary>
    internal int Filter(ReadOnlySpan<char> token, Span<char> buffer)
    {
        if (Options.RemovePossessives && token.Length >= 2 && token[^1] is 's' or 'S'
            && token[^2] is '\'' or '\u2019' or '\uFF07')
        {
            token = token[..^2];
        }
        int length = LowerCase(token, buffer);
        Span<char> term = buffer[..length];
        if (length == 0 || (Options.RemoveStopWords && EnglishStopWords.Contains(term)))
        {
            return 0;
        }
        return Options.Stem ? PorterStemmer.Stem(term) : length;
    }

    // Per code point, like Java's Character.toLowerCase; an ASCII fast path covers almost all English text.
    private static int LowerCase(ReadOnlySpan<char> token, Span<char> buffer)
    {
        int written = 0;
        for (int i = 0; i < token.Length;)
        {
            char c = token[i];
            if (c < 0x80)
            {
                buffer[written++] = c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
                i++;
                continue;
            }
            if (Rune.DecodeFromUtf16(token[i..], out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                buffer[written++] = c;
                i++;
                continue;
            }
            // .NET's invariant casing keeps U+0130 (İ); Java's Character.toLowerCase maps it to 'i'.
            Rune lower = rune.Value == 0x130 ? new Rune('i') : Rune.ToLowerInvariant(rune);
            written += lower.EncodeToUtf16(buffer[written..]);
            i += consumed;
        }
        return written;
    }
}
