using DprCluster.Text.Tokenization;

namespace DprCluster.Text.Tests.Tokenization;

/// <summary>The encoding API around the exact core: spans, batches, token types, truncation, bad input, threads.</summary>
public sealed class BertTokenizerTests
{
    private static readonly Lazy<BertTokenizer> Shared = new(() => BertTokenizer.FromDirectory(TokenizerTestFiles.TokenizerDirectory));
    private static readonly TokenizerOptions NoLimit = new() { MaxLength = int.MaxValue };

    private static BertTokenizer Tokenizer => Shared.Value;

    [Fact]
    public void SpecialTokenIdsComeFromTheVocabulary()
    {
        Assert.Equal(Tokenizer.IdOf("[CLS]"), Tokenizer.ClsId);
        Assert.Equal(Tokenizer.IdOf("[SEP]"), Tokenizer.SepId);
        Assert.Equal(Tokenizer.IdOf("[PAD]"), Tokenizer.PadId);
        Assert.Equal(Tokenizer.IdOf("[UNK]"), Tokenizer.UnknownId);
        Assert.Equal("[CLS]", Tokenizer.TokenOf(Tokenizer.ClsId));
        Assert.Null(Tokenizer.IdOf("definitely-not-a-token"));
        Assert.Null(Tokenizer.TokenOf(-1));
    }

    [Fact]
    public void SingleAndPairEncodingsAreFramedBySpecialTokens()
    {
        var single = Tokenizer.Encode("hello world", NoLimit);
        Assert.Equal(Tokenizer.ClsId, single[0]);
        Assert.Equal(Tokenizer.SepId, single[^1]);
        Assert.Equal(["hello", "world"], single[1..^1].Select(id => Tokenizer.TokenOf(id)));

        var pair = Tokenizer.EncodePair("hello", "world", NoLimit);
        Assert.Equal([Tokenizer.ClsId, single[1], Tokenizer.SepId, single[2], Tokenizer.SepId], pair);
    }

    [Fact]
    public void IntAndLongSpansReceiveTheSameIdsAsTheArrayApi()
    {
        const string text = "Dense passage retrieval beats BM25 on NQ.";
        var expected = Tokenizer.Encode(text, NoLimit);
        var ints = new int[64];
        var longs = new long[64];
        Assert.Equal(expected.Length, Tokenizer.Encode(text, NoLimit, ints));
        Assert.Equal(expected.Length, Tokenizer.Encode(text, NoLimit, longs));
        Assert.Equal(expected, ints[..expected.Length]);
        Assert.Equal(expected.Select(id => (long)id), longs[..expected.Length]);
    }

    [Fact]
    public void TooSmallDestinationIsRejectedWithTheNeededLength()
    {
        var needed = Tokenizer.Encode("one two three four", NoLimit).Length;
        var error = Assert.Throws<ArgumentException>(() => Tokenizer.Encode("one two three four", NoLimit, new int[needed - 1]));
        Assert.Contains(needed.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Throws<ArgumentException>(() => Tokenizer.Encode("one two three four", NoLimit, new int[needed], new int[needed - 1]));
    }

    [Fact]
    public void SegmentTokenTypesMarkTheSecondSequenceAndDprZerosDoNot()
    {
        var ids = new int[32];
        var types = new int[32];
        var length = Tokenizer.EncodePair("a title", "some passage text", TokenizerOptions.Default, ids, types);
        var secondStart = Array.IndexOf(ids, Tokenizer.SepId) + 1;
        Assert.All(types[..secondStart], type => Assert.Equal(0, type));
        Assert.All(types[secondStart..length], type => Assert.Equal(1, type));

        types.AsSpan().Fill(7);
        Tokenizer.EncodePair("a title", "some passage text", TokenizerOptions.Dpr, ids, types);
        Assert.All(types[..length], type => Assert.Equal(0, type));
    }

    [Fact]
    public void DprPassageKeepsItsTitleAndStopsAtMaxLength()
    {
        var text = string.Join(' ', Enumerable.Repeat("retrieval", 400));
        var options = TokenizerOptions.Dpr with { Truncation = TruncationStrategy.OnlySecond };
        var ids = Tokenizer.EncodePair("Zebra migration", text, options);
        var title = Tokenizer.Encode("Zebra migration", NoLimit)[1..^1];
        Assert.Equal(256, ids.Length);
        Assert.Equal(title, ids[1..(1 + title.Length)]);
        Assert.Equal(Tokenizer.SepId, ids[1 + title.Length]);
        Assert.Equal(Tokenizer.SepId, ids[^1]);
    }

    [Fact]
    public void LongestFirstShortensTheLongerSequenceFirst()
    {
        var options = new TokenizerOptions { MaxLength = 13 };
        var ids = Tokenizer.EncodePair("one two", string.Join(' ', Enumerable.Repeat("three", 30)), options);
        Assert.Equal(13, ids.Length);
        Assert.Equal(Tokenizer.Encode("one two", NoLimit)[..^1], ids[..3]);
        Assert.Equal(8, ids.Count(id => id == Tokenizer.IdOf("three")));
    }

    [Fact]
    public void ImpossibleTruncationIsAnArgumentErrorNotACrash()
    {
        var longText = string.Join(' ', Enumerable.Repeat("word", 50));
        var onlySecond = new TokenizerOptions { MaxLength = 10, Truncation = TruncationStrategy.OnlySecond };
        Assert.Throws<ArgumentException>(() => Tokenizer.Encode(longText, onlySecond));
        Assert.Throws<ArgumentException>(() => Tokenizer.EncodePair(longText, "short", onlySecond));
        Assert.Throws<ArgumentException>(() => Tokenizer.EncodePair("a", "b", new TokenizerOptions { MaxLength = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenizerOptions { MaxLength = 1 });
    }

    [Fact]
    public void BatchIsPaddedToItsLongestRowAndMatchesSingleEncodings()
    {
        string[] texts = ["short", "a somewhat longer sentence about dense retrieval", "", "中文 and émoji 😀"];
        var batch = Tokenizer.EncodeBatch(texts, NoLimit);
        var singles = texts.Select(t => Tokenizer.Encode(t, NoLimit)).ToArray();
        Assert.Equal(texts.Length, batch.Rows);
        Assert.Equal(singles.Max(s => s.Length), batch.SequenceLength);
        Assert.Equal(texts.Length * batch.SequenceLength, batch.InputIds.Length);
        for (var row = 0; row < texts.Length; row++)
        {
            var ids = batch.RowIds(row);
            var length = singles[row].Length;
            Assert.Equal(length, batch.Lengths[row]);
            Assert.Equal(singles[row].Select(id => (long)id), ids[..length].ToArray());
            Assert.All(ids[length..].ToArray(), id => Assert.Equal(Tokenizer.PadId, id));
            var mask = batch.AttentionMask.AsSpan(row * batch.SequenceLength, batch.SequenceLength).ToArray();
            Assert.Equal(Enumerable.Repeat(1L, length).Concat(Enumerable.Repeat(0L, batch.SequenceLength - length)), mask);
        }

        Assert.All(batch.TokenTypeIds, type => Assert.Equal(0, type));
        var ints = new int[batch.InputIds.Length];
        batch.CopyInputIdsTo(ints);
        Assert.Equal(batch.InputIds, ints.Select(id => (long)id));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.RowIds(texts.Length).ToArray());
    }

    [Fact]
    public void PairBatchCarriesSegmentsAndPadsTypesWithZero()
    {
        string[] titles = ["Title one", "T"];
        string[] texts = ["text", "a much longer passage text than the first one"];
        var batch = Tokenizer.EncodeBatch(titles, texts);
        for (var row = 0; row < 2; row++)
        {
            var ids = new int[64];
            var types = new int[64];
            var length = Tokenizer.EncodePair(titles[row], texts[row], TokenizerOptions.Default, ids, types);
            var rowTypes = batch.TokenTypeIds.AsSpan(row * batch.SequenceLength, batch.SequenceLength).ToArray();
            Assert.Equal(types[..length].Select(t => (long)t), rowTypes[..length]);
            Assert.All(rowTypes[length..], type => Assert.Equal(0, type));
        }

        var dpr = Tokenizer.EncodeBatch(titles, texts, TokenizerOptions.Dpr);
        Assert.All(dpr.TokenTypeIds, type => Assert.Equal(0, type));
        Assert.Throws<ArgumentException>(() => Tokenizer.EncodeBatch(titles, ["only one"]));
    }

    [Fact]
    public void EmptyBatchHasNoRows()
    {
        var batch = Tokenizer.EncodeBatch([]);
        Assert.Equal(0, batch.Rows);
        Assert.Empty(batch.InputIds);
    }

    [Fact]
    public void BrokenUtf16AndHugeInputDoNotCrash()
    {
        // An unpaired surrogate reaches Hugging Face as U+FFFD, which text cleaning deletes.
        Assert.Equal(Tokenizer.Encode("ab", NoLimit), Tokenizer.Encode("a\uD800b", NoLimit));
        Assert.Equal(Tokenizer.Encode("ab", NoLimit), Tokenizer.Encode("a\uDC00b", NoLimit));

        var huge = string.Concat(Enumerable.Repeat("Retrieval-augmented generation, 2024 edition. ", 20_000));
        var ids = Tokenizer.Encode(huge, NoLimit);
        Assert.Equal(20_000 * (Tokenizer.Encode("Retrieval-augmented generation, 2024 edition.", NoLimit).Length - 2) + 2, ids.Length);
        Assert.Equal(512, Tokenizer.Encode(huge).Length);
    }

    [Fact]
    public void ConcurrentEncodingGivesTheSameIdsAsSequential()
    {
        var texts = GoldenCase.ReadAll().Where(c => c.Variant is null && c.Second is null && c.MaxLength is null).Select(c => c.First).ToArray();
        var sequential = texts.Select(t => Tokenizer.Encode(t, NoLimit)).ToArray();
        var concurrent = new int[texts.Length][];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = Tokenizer.Encode(texts[i], NoLimit));
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(sequential[i], concurrent[i]);
        }
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => Tokenizer.Encode((string)null!));
        Assert.Throws<ArgumentNullException>(() => Tokenizer.EncodePair("x", null!));
        Assert.Throws<ArgumentNullException>(() => Tokenizer.EncodeBatch(null!));
        Assert.Throws<ArgumentNullException>(() => Tokenizer.Encode("x", null!, new int[8]));
        Assert.Throws<ArgumentException>(() => Tokenizer.EncodeBatch(["ok", null!]));
    }
}
