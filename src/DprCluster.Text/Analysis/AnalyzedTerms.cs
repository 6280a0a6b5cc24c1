using System.Buffers;

namespace DprCluster.Text.Analysis;

/// <summary>
/// Enumerator over the terms <see cref="EnglishAnalyzer"/> produces for one text. Terms are written into a pooled
/// buffer, so enumeration allocates nothing; dispose it (<c>foreach</c> does) to return the buffer.
/// </summary>
public ref struct AnalyzedTerms
{
    private readonly EnglishAnalyzer _analyzer;
    private readonly ReadOnlySpan<char> _text;
    private StandardTokenizer _tokenizer;
    private char[]? _buffer;
    private int _length;

    internal AnalyzedTerms(EnglishAnalyzer analyzer, ReadOnlySpan<char> text)
    {
        _analyzer = analyzer;
        _text = text;
        _tokenizer = new StandardTokenizer(text);
        _buffer = ArrayPool<char>.Shared.Rent(EnglishAnalyzer.TermBufferLength);
        _length = 0;
    }

    /// <summary>Returns this enumerator, so the struct works in <c>foreach</c>.</summary>
    public readonly AnalyzedTerms GetEnumerator() => this;

    /// <summary>The current term.</summary>
    public readonly ReadOnlySpan<char> Current => _buffer.AsSpan(0, _length);

    /// <summary>Advances to the next term that survives the filters.</summary>
    public bool MoveNext()
    {
        if (_buffer is null)
        {
            return false;
        }
        while (_tokenizer.MoveNext(out int start, out int length))
        {
            _length = _analyzer.Filter(_text.Slice(start, length), _buffer);
            if (_length > 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Returns the term buffer to the pool.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
