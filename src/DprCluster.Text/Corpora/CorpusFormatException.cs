namespace DprCluster.Text.Corpora;

/// <summary>A corpus, query or judgement file is malformed; the message names the file and line.</summary>
public sealed class CorpusFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> (line 0 when not about one line).</summary>
    public CorpusFormatException(string path, long line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{path}:{line}: {problem}" : $"{path}: {problem}", inner)
    {
        Path = path;
        Line = line;
    }

    /// <summary>The offending file.</summary>
    public string Path { get; }

    /// <summary>1-based line number, or 0.</summary>
    public long Line { get; }
}
