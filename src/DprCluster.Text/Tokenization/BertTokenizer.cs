using System.Numerics;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// A BERT WordPiece tokenizer that produces the same ids as Hugging Face <c>tokenizers</c>: BertNormalizer
/// (cleaning, CJK splitting, accent stripping, lower-casing), BertPreTokenizer (white space and punctuation),
/// WordPiece with <c>[UNK]</c> for over-long or unsplittable words, never-split special tokens, and
/// <c>[CLS] a [SEP] b [SEP]</c> with truncation. Immutable after loading, so one instance serves all threads.
/// </summary>
public sealed class BertTokenizer
{
    private readonly BertTextNormalizer _normalizer;
    private readonly BertPreTokenizer _preTokenizer;
    private readonly WordPieceModel _model;
    private readonly AddedTokenMatcher _rawTokens;
    private readonly AddedTokenMatcher _normalizedTokens;
    private readonly Dictionary<string, int> _idsByToken;
    private readonly Dictionary<int, string> _tokensById;

    private BertTokenizer(TokenizerDefinition definition)
    {
        var table = BertCharacterTable.Shared;
        _normalizer = new BertTextNormalizer(definition.Normalization, table);
        _preTokenizer = new BertPreTokenizer(table);
        _model = new WordPieceModel(definition.Vocabulary, definition.UnknownToken, definition.ContinuationPrefix, definition.MaxCharsPerWord);
        _rawTokens = new AddedTokenMatcher(definition.AddedTokens.Where(t => !t.Normalized), table);
        _normalizedTokens = new AddedTokenMatcher(definition.AddedTokens.Where(t => t.Normalized).Select(NormalizeContent), table);
        _idsByToken = new Dictionary<string, int>(definition.Vocabulary, StringComparer.Ordinal);
        foreach (var token in definition.AddedTokens)
        {
            _idsByToken[token.Content] = token.Id;
        }

        _tokensById = [];
        foreach (var (token, id) in _idsByToken)
        {
            _tokensById.TryAdd(id, token);
        }

        ClsId = definition.ClsId;
        SepId = definition.SepId;
        PadId = definition.PadId;
    }

    /// <summary>Id of <c>[CLS]</c>, which opens every encoding.</summary>
    public int ClsId { get; }

    /// <summary>Id of <c>[SEP]</c>, which closes each sequence.</summary>
    public int SepId { get; }

    /// <summary>Id used to pad batches (<c>[PAD]</c>).</summary>
    public int PadId { get; }

    /// <summary>Id of <c>[UNK]</c>.</summary>
    public int UnknownId => _model.UnknownId;

    /// <summary>Number of distinct tokens, added tokens included.</summary>
    public int VocabularySize => _idsByToken.Count;

    /// <summary>
    /// Loads the tokenizer in a Hugging Face model directory: <c>tokenizer.json</c> when present, otherwise
    /// <c>vocab.txt</c> with the flags of <c>tokenizer_config.json</c> (lower-casing unless it says otherwise).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">It holds neither file.</exception>
    /// <exception cref="TokenizerFormatException">A file is malformed or describes an unsupported tokenizer.</exception>
    public static BertTokenizer FromDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Tokenizer directory '{directory}' does not exist.");
        }

        var json = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(json))
        {
            return new BertTokenizer(TokenizerJsonReader.Read(json));
        }

        var vocab = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(vocab))
        {
            throw new FileNotFoundException($"'{directory}' holds neither tokenizer.json nor vocab.txt.", vocab);
        }

        var normalization = VocabFileReader.ReadNormalization(Path.Combine(directory, "tokenizer_config.json"), defaultLowercase: true);
        return new BertTokenizer(VocabFileReader.Read(vocab, normalization));
    }

    /// <summary>Loads a Hugging Face <c>tokenizer.json</c> with a BERT WordPiece pipeline.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TokenizerFormatException">It is malformed or describes an unsupported tokenizer.</exception>
    public static BertTokenizer FromTokenizerJson(string path) => new(TokenizerJsonReader.Read(path));

    /// <summary>Loads a BERT <c>vocab.txt</c> (one token per line) with the standard BERT normaliser.</summary>
    /// <param name="path">The vocabulary file.</param>
    /// <param name="lowerCase">Lower-case and strip accents (uncased models) or keep text as is (cased models).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TokenizerFormatException">It lacks <c>[UNK]</c>, <c>[CLS]</c> or <c>[SEP]</c>.</exception>
    public static BertTokenizer FromVocabFile(string path, bool lowerCase = true) =>
        new(VocabFileReader.Read(path, BertNormalization.Create(true, true, null, lowerCase)));

    /// <summary>The id of a token, or null when it is not in the vocabulary.</summary>
    public int? IdOf(string token) => _idsByToken.TryGetValue(token, out var id) ? id : null;

    /// <summary>The token of an id, or null when no token has it.</summary>
    public string? TokenOf(int id) => _tokensById.GetValueOrDefault(id);

    /// <summary>Encodes one sequence as <c>[CLS] text [SEP]</c> into caller-provided spans.</summary>
    /// <param name="text">The text.</param>
    /// <param name="options">Length limit, truncation and token types.</param>
    /// <param name="inputIds">Receives the ids; needs room for the whole encoding (at most <see cref="TokenizerOptions.MaxLength"/>).</param>
    /// <param name="tokenTypeIds">Receives the token types, or empty to skip them.</param>
    /// <returns>The encoding's length; the attention mask is 1 for exactly these positions.</returns>
    /// <exception cref="ArgumentException">A span is too short, or the truncation strategy cannot apply.</exception>
    public int Encode(ReadOnlySpan<char> text, TokenizerOptions options, Span<int> inputIds, Span<int> tokenTypeIds = default) =>
        EncodeInto(text, default, false, options, inputIds, tokenTypeIds);

    /// <inheritdoc cref="Encode(ReadOnlySpan{char}, TokenizerOptions, Span{int}, Span{int})"/>
    public int Encode(ReadOnlySpan<char> text, TokenizerOptions options, Span<long> inputIds, Span<long> tokenTypeIds = default) =>
        EncodeInto(text, default, false, options, inputIds, tokenTypeIds);

    /// <summary>Encodes a pair as <c>[CLS] first [SEP] second [SEP]</c> into caller-provided spans.</summary>
    /// <param name="first">The first sequence (a question, or a passage title).</param>
    /// <param name="second">The second sequence (a passage text).</param>
    /// <param name="options">Length limit, truncation and token types.</param>
    /// <param name="inputIds">Receives the ids; needs room for the whole encoding (at most <see cref="TokenizerOptions.MaxLength"/>).</param>
    /// <param name="tokenTypeIds">Receives the token types, or empty to skip them.</param>
    /// <returns>The encoding's length.</returns>
    /// <exception cref="ArgumentException">A span is too short, or the truncation strategy cannot apply.</exception>
    public int EncodePair(ReadOnlySpan<char> first, ReadOnlySpan<char> second, TokenizerOptions options, Span<int> inputIds, Span<int> tokenTypeIds = default) =>
        EncodeInto(first, second, true, options, inputIds, tokenTypeIds);

    /// <inheritdoc cref="EncodePair(ReadOnlySpan{char}, ReadOnlySpan{char}, TokenizerOptions, Span{int}, Span{int})"/>
    public int EncodePair(ReadOnlySpan<char> first, ReadOnlySpan<char> second, TokenizerOptions options, Span<long> inputIds, Span<long> tokenTypeIds = default) =>
        EncodeInto(first, second, true, options, inputIds, tokenTypeIds);

    /// <summary>Encodes one sequence and returns its ids (convenient, allocates the result).</summary>
    public int[] Encode(string text, TokenizerOptions? options = null) => EncodeToArray(text, null, options);

    /// <summary>Encodes a pair and returns its ids (convenient, allocates the result).</summary>
    public int[] EncodePair(string first, string second, TokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(second);
        return EncodeToArray(first, second, options);
    }

    /// <summary>Encodes single sequences into one batch padded to the longest.</summary>
    /// <exception cref="ArgumentException">The truncation strategy cannot apply to some row.</exception>
    public TokenizedBatch EncodeBatch(IReadOnlyList<string> texts, TokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return EncodeBatchCore(texts, null, options ?? TokenizerOptions.Default);
    }

    /// <summary>Encodes pairs (<paramref name="firsts"/>[i], <paramref name="seconds"/>[i]) into one batch padded to the longest.</summary>
    /// <exception cref="ArgumentException">The lists differ in length, or the truncation strategy cannot apply to some row.</exception>
    public TokenizedBatch EncodeBatch(IReadOnlyList<string> firsts, IReadOnlyList<string> seconds, TokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(firsts);
        ArgumentNullException.ThrowIfNull(seconds);
        if (firsts.Count != seconds.Count)
        {
            throw new ArgumentException($"{firsts.Count} first sequences but {seconds.Count} second sequences.", nameof(seconds));
        }

        return EncodeBatchCore(firsts, seconds, options ?? TokenizerOptions.Default);
    }

    private int[] EncodeToArray(string text, string? second, TokenizerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new GrowableBuffer<int>(64);
        try
        {
            Build(text, second, second is not null, options ?? TokenizerOptions.Default, ref ids);
            return ids.Written.ToArray();
        }
        finally
        {
            ids.Dispose();
        }
    }

    private int EncodeInto<T>(ReadOnlySpan<char> first, ReadOnlySpan<char> second, bool isPair, TokenizerOptions options, Span<T> inputIds, Span<T> tokenTypeIds)
        where T : unmanaged, IBinaryInteger<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        var ids = new GrowableBuffer<int>(64);
        try
        {
            var secondStart = Build(first, second, isPair, options, ref ids);
            var length = ids.Count;
            if (inputIds.Length < length)
            {
                throw new ArgumentException($"The id span holds {inputIds.Length} tokens; the encoding has {length}.", nameof(inputIds));
            }

            if (!tokenTypeIds.IsEmpty && tokenTypeIds.Length < length)
            {
                throw new ArgumentException($"The token type span holds {tokenTypeIds.Length} tokens; the encoding has {length}.", nameof(tokenTypeIds));
            }

            var written = ids.Written;
            for (var i = 0; i < written.Length; i++)
            {
                inputIds[i] = T.CreateTruncating(written[i]);
            }

            if (!tokenTypeIds.IsEmpty)
            {
                var split = options.TokenTypes == TokenTypeMode.Zeros ? length : secondStart;
                tokenTypeIds[..split].Clear();
                tokenTypeIds[split..length].Fill(T.One);
            }

            return length;
        }
        finally
        {
            ids.Dispose();
        }
    }

    private TokenizedBatch EncodeBatchCore(IReadOnlyList<string> firsts, IReadOnlyList<string>? seconds, TokenizerOptions options)
    {
        var rows = firsts.Count;
        var lengths = new int[rows];
        var secondStarts = new int[rows];
        var all = new GrowableBuffer<int>(rows * 64);
        var row = new GrowableBuffer<int>(64);
        try
        {
            var longest = 0;
            for (var r = 0; r < rows; r++)
            {
                row.Clear();
                var first = firsts[r] ?? throw new ArgumentException($"Row {r} has a null first sequence.", nameof(firsts));
                var second = seconds is null ? null : seconds[r] ?? throw new ArgumentException($"Row {r} has a null second sequence.", nameof(seconds));
                secondStarts[r] = Build(first, second, seconds is not null, options, ref row);
                lengths[r] = row.Count;
                longest = Math.Max(longest, row.Count);
                all.AddRange(row.Written);
            }

            var inputIds = new long[rows * longest];
            var attentionMask = new long[rows * longest];
            var tokenTypeIds = new long[rows * longest];
            var source = 0;
            for (var r = 0; r < rows; r++)
            {
                var ids = all.Written.Slice(source, lengths[r]);
                source += lengths[r];
                var offset = r * longest;
                for (var i = 0; i < ids.Length; i++)
                {
                    inputIds[offset + i] = ids[i];
                }

                inputIds.AsSpan(offset + ids.Length, longest - ids.Length).Fill(PadId);
                attentionMask.AsSpan(offset, ids.Length).Fill(1);
                if (options.TokenTypes == TokenTypeMode.Segments)
                {
                    tokenTypeIds.AsSpan(offset + secondStarts[r], ids.Length - secondStarts[r]).Fill(1);
                }
            }

            return new TokenizedBatch(rows, longest, inputIds, attentionMask, tokenTypeIds, lengths);
        }
        finally
        {
            row.Dispose();
            all.Dispose();
        }
    }

    // Writes [CLS] first [SEP] (second [SEP]) after truncation into `output` and returns where the second
    // segment starts (the length, for a single sequence).
    private int Build(ReadOnlySpan<char> first, ReadOnlySpan<char> second, bool isPair, TokenizerOptions options, ref GrowableBuffer<int> output)
    {
        var specials = isPair ? 3 : 2;
        if (options.MaxLength < specials)
        {
            throw new ArgumentException($"MaxLength {options.MaxLength} leaves no room for the {specials} special tokens of a pair.", nameof(options));
        }

        var secondIds = new GrowableBuffer<int>(isPair ? 64 : 1);
        var normalized = new GrowableBuffer<char>(Math.Max(first.Length, second.Length) + 16);
        var codePoints = new GrowableBuffer<int>(16);
        try
        {
            output.Clear();
            output.Add(ClsId);
            AppendSequence(first, ref output, ref normalized, ref codePoints);
            var firstCount = output.Count - 1;
            if (isPair)
            {
                AppendSequence(second, ref secondIds, ref normalized, ref codePoints);
            }

            var (keepFirst, keepSecond) = SequenceTruncation.KeptLengths(
                firstCount, secondIds.Count, isPair, options.MaxLength - specials, options.Truncation);
            output.Truncate(1 + keepFirst);
            output.Add(SepId);
            var secondStart = output.Count;
            if (isPair)
            {
                output.AddRange(secondIds.Written[..keepSecond]);
                output.Add(SepId);
            }

            return secondStart;
        }
        finally
        {
            codePoints.Dispose();
            normalized.Dispose();
            secondIds.Dispose();
        }
    }

    // Raw added tokens are cut out first; each piece between them is normalised, then cut at normalised added
    // tokens, then pre-tokenised and split into word pieces, as Hugging Face's AddedVocabulary does it.
    private void AppendSequence(ReadOnlySpan<char> text, ref GrowableBuffer<int> ids, ref GrowableBuffer<char> normalized, ref GrowableBuffer<int> codePoints)
    {
        var position = 0;
        while (!_rawTokens.IsEmpty && _rawTokens.TryMatch(text, position, out var start, out var end, out var id))
        {
            AppendPiece(text[position..start], ref ids, ref normalized, ref codePoints);
            ids.Add(id);
            position = end;
        }

        AppendPiece(text[position..], ref ids, ref normalized, ref codePoints);
    }

    private void AppendPiece(ReadOnlySpan<char> piece, ref GrowableBuffer<int> ids, ref GrowableBuffer<char> normalized, ref GrowableBuffer<int> codePoints)
    {
        if (piece.IsEmpty)
        {
            return;
        }

        normalized.Clear();
        _normalizer.Normalize(piece, ref normalized, ref codePoints);
        var text = normalized.Written;
        var position = 0;
        while (!_normalizedTokens.IsEmpty && _normalizedTokens.TryMatch(text, position, out var start, out var end, out var id))
        {
            _preTokenizer.AppendIds(text[position..start], _model, ref ids);
            ids.Add(id);
            position = end;
        }

        _preTokenizer.AppendIds(text[position..], _model, ref ids);
    }

    private AddedToken NormalizeContent(AddedToken token)
    {
        var normalized = new GrowableBuffer<char>(token.Content.Length + 8);
        var codePoints = new GrowableBuffer<int>(16);
        try
        {
            _normalizer.Normalize(token.Content, ref normalized, ref codePoints);
            return token with { Content = new string(normalized.Written) };
        }
        finally
        {
            codePoints.Dispose();
            normalized.Dispose();
        }
    }
}
