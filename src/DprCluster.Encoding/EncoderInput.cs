using System.Text;

namespace DprCluster.Encoding;

/// <summary>
/// Reads texts to encode from a stream, one per line: a question, or a passage as <c>title&lt;TAB&gt;text</c> (a line
/// without a tab is a passage with no title). Input must be UTF-8; invalid bytes are an error that names the line,
/// never silently replaced. Line ends may be LF or CRLF; a UTF-8 byte-order mark is skipped.
/// </summary>
public static class EncoderInput
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The questions in <paramref name="stream"/>, lazily.</summary>
    public static IEnumerable<string> ReadQueries(Stream stream)
    {
        foreach (string line in ReadLines(stream))
        {
            yield return line;
        }
    }

    /// <summary>The passages in <paramref name="stream"/>, lazily.</summary>
    public static IEnumerable<PassageText> ReadPassages(Stream stream)
    {
        foreach (string line in ReadLines(stream))
        {
            int tab = line.IndexOf('\t');
            yield return tab < 0 ? new PassageText(string.Empty, line) : new PassageText(line[..tab], line[(tab + 1)..]);
        }
    }

    private static IEnumerable<string> ReadLines(Stream stream)
    {
        using var reader = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        long number = 0;
        while (true)
        {
            string? line;
            number++;
            try
            {
                line = reader.ReadLine();
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidDataException($"Input line {number} is not valid UTF-8 ({e.Message}).", e);
            }
            if (line is null)
            {
                yield break;
            }
            yield return line;
        }
    }
}
