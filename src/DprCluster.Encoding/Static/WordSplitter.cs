namespace DprCluster.Encoders.Static;

/// <summary>
/// Splits text into the words GloVe-style vectors are keyed by: maximal runs of letters and digits. Punctuation is
/// dropped (its SIF weight is near zero anyway), and the possessive "s" after an apostrophe is skipped, since the
/// vectors carry no "'s" entry. Allocation-free: a ref struct enumerator over the input.
/// </summary>
public ref struct WordSplitter
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;

    /// <summary>Starts splitting <paramref name="text"/>.</summary>
    public WordSplitter(ReadOnlySpan<char> text)
    {
        _text = text;
        _position = 0;
        Current = default;
    }

    /// <summary>The current word (original case).</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    /// <summary>Enables <c>foreach</c>.</summary>
    public readonly WordSplitter GetEnumerator() => this;

    /// <summary>Advances to the next word.</summary>
    public bool MoveNext()
    {
        while (true)
        {
            while (_position < _text.Length && !char.IsLetterOrDigit(_text[_position]))
            {
                _position++;
            }
            if (_position >= _text.Length)
            {
                return false;
            }
            int start = _position;
            while (_position < _text.Length && char.IsLetterOrDigit(_text[_position]))
            {
                _position++;
            }
            ReadOnlySpan<char> word = _text[start.._position];
            bool afterApostrophe = start > 0 && _text[start - 1] is '\'' or '\u2019';
            if (afterApostrophe && word is "s" or "S")
            {
                continue;
            }
            Current = word;
            return true;
        }
    }
}
