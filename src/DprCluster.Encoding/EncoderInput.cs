using System.Text;

namespace DprCluster.Encoders;

/// <summary>
/// Reads texts to encode from a stream, one per line: a question, or a passage as <c>title&lt;TAB&gt;text</c> (a line
/// without a tab is a passage with no title). Input must be UTF-8; invalid bytes are an error that names the line,
/// never silently replaced. Line ends may be LF or CRLF; a leading UTF-8 byte-order mark is skipped.
/// </summary>
public static class EncoderInput
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The questions in <paramref name="stream"/>, lazily.</summary>
    public static IEnumerable<string> ReadQueries(Stream stream) => ReadLines(stream);

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
        // Lines are split on bytes and decoded one by one, so an invalid sequence is reported on its own line.
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        long number = 0;
        bool first = true;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            if (first)
            {
                first = false;
                if (read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
                {
                    start = 3;
                }
            }
            while (start < read)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                if (newline < 0)
                {
                    line.Write(buffer, start, read - start);
                    break;
                }
                line.Write(buffer, start, newline - start);
                yield return Decode(line, ++number);
                start = newline + 1;
            }
        }
        if (line.Length > 0)
        {
            yield return Decode(line, ++number);
        }
    }

    private static string Decode(MemoryStream line, long number)
    {
        ReadOnlySpan<byte> bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"Input line {number} is not valid UTF-8 (byte {e.Index} of the line).", e);
        }
        finally
        {
            line.SetLength(0);
        }
    }
}
