namespace DprCluster.Text.Tokenization;

/// <summary>
/// WordPiece as Hugging Face runs it: greedy longest-match-first from the start of a word, continuation pieces
/// carry a prefix (<c>##</c>), and a word longer than the limit or with any unmatched rest becomes one unknown
/// token. Immutable and thread-safe.
/// </summary>
internal sealed class WordPieceModel
{
    private readonly WordPieceTrie _trie;
    private readonly int _continuationRoot;

    public WordPieceModel(IReadOnlyDictionary<string, int> vocabulary, string unknownToken, string continuationPrefix, int maxCharsPerWord)
    {
        if (!vocabulary.TryGetValue(unknownToken, out var unknownId))
        {
            throw new TokenizerFormatException($"The unknown token '{unknownToken}' is not in the vocabulary.");
        }

        if (maxCharsPerWord < 1)
        {
            throw new TokenizerFormatException($"max_input_chars_per_word must be positive, not {maxCharsPerWord}.");
        }

        _trie = new WordPieceTrie(vocabulary);
        _continuationRoot = _trie.Walk(continuationPrefix);
        UnknownId = unknownId;
        MaxCharsPerWord = maxCharsPerWord;
    }

    /// <summary>The id a word gets when it cannot be split into vocabulary pieces.</summary>
    public int UnknownId { get; }

    /// <summary>Words with more code points than this become the unknown token.</summary>
    public int MaxCharsPerWord { get; }

    /// <summary>Appends the piece ids of one pre-tokenised word.</summary>
    public void AppendWord(ReadOnlySpan<char> word, ref GrowableBuffer<int> ids)
    {
        if (word.Length > MaxCharsPerWord && CountCodePoints(word) > MaxCharsPerWord)
        {
            ids.Add(UnknownId);
            return;
        }

        var rollback = ids.Count;
        var start = 0;
        while (start < word.Length)
        {
            var node = start == 0 ? WordPieceTrie.Root : _continuationRoot;
            var matchId = WordPieceTrie.None;
            var matchEnd = start;
            for (var i = start; i < word.Length && node != WordPieceTrie.None; i++)
            {
                node = _trie.Step(node, word[i]);
                if (node != WordPieceTrie.None && _trie.TokenAt(node) != WordPieceTrie.None)
                {
                    matchId = _trie.TokenAt(node);
                    matchEnd = i + 1;
                }
            }

            if (matchId == WordPieceTrie.None)
            {
                ids.Truncate(rollback);
                ids.Add(UnknownId);
                return;
            }

            ids.Add(matchId);
            start = matchEnd;
        }
    }

    private static int CountCodePoints(ReadOnlySpan<char> word)
    {
        var count = 0;
        foreach (var unit in word)
        {
            if (!char.IsLowSurrogate(unit))
            {
                count++;
            }
        }

        return count;
    }
}
