using DprCluster.Encoders.Transformer;
using DprCluster.Text.Tokenization;
using DprCluster.Testing;

namespace DprCluster.Encoders.Tests;

public class TransformerEncoderTests
{
    private static readonly Lazy<TransformerEncoder> Shared = new(() => TransformerEncoder.Open(RepositoryPaths.TinyModel,
        options: new TransformerEncoderOptions { Session = new() { IntraOpThreads = 1 } }));

    private static GoldenCase[] Queries => GoldenFile.TinyBert.Cases.Where(c => c.Kind == "query").ToArray();

    private static GoldenCase[] Passages => GoldenFile.TinyBert.Cases.Where(c => c.Kind == "passage").ToArray();

    [Fact]
    public void OurTokenizerProducesTheReferenceIds()
    {
        BertTokenizer tokenizer = BertTokenizer.FromDirectory(RepositoryPaths.TinyModel);
        foreach (GoldenCase c in GoldenFile.TinyBert.Cases)
        {
            int[] ids = c.Kind == "query" || string.IsNullOrEmpty(c.Title)
                ? tokenizer.Encode(c.Text, TokenizerOptions.Dpr)
                : tokenizer.EncodePair(c.Title, c.Text, TokenizerOptions.Dpr);
            Assert.True(c.Ids.SequenceEqual(ids), $"{c}: ids differ from Hugging Face tokenizers");
        }
    }

    [Fact]
    public void BatchedQueryVectorsEqualOnnxRuntimeNodeGolden()
    {
        GoldenCase[] cases = Queries;
        var vectors = new float[cases.Length * Shared.Value.Dimension];
        Shared.Value.EncodeQueries(cases.Select(c => c.Text).ToArray(), vectors);
        AssertRows(cases, vectors, c => c.Cls);
    }

    [Fact]
    public void BatchedPassageVectorsEqualOnnxRuntimeNodeGolden()
    {
        GoldenCase[] cases = Passages;
        var vectors = new float[cases.Length * Shared.Value.Dimension];
        Shared.Value.EncodePassages(cases.Select(c => new PassageText(c.Title ?? "", c.Text)).ToArray(), vectors);
        AssertRows(cases, vectors, c => c.Cls);
    }

    [Fact]
    public void DefaultsFollowDpr()
    {
        TransformerModel model = Shared.Value.QuestionModel;
        Assert.Equal(32, Shared.Value.Dimension);
        Assert.Equal(Pooling.Cls, model.Pooling);
        Assert.Equal(256, model.Settings.MaxLength);
        Assert.Equal(TokenTypeMode.Zeros, model.Settings.TokenTypes);
        Assert.False(model.Settings.Normalize);
    }

    [Theory]
    [InlineData("mean")]
    [InlineData("pooler")]
    public void PoolingFromSettingsFileMatchesGolden(string pooling)
    {
        using var dir = ModelCopy.Of(RepositoryPaths.TinyModel, $$"""{"pooling": "{{pooling}}"}""");
        using TransformerEncoder encoder = TransformerEncoder.Open(dir.Path);
        GoldenCase[] cases = Queries;
        var vectors = new float[cases.Length * encoder.Dimension];
        encoder.EncodeQueries(cases.Select(c => c.Text).ToArray(), vectors);
        AssertRows(cases, vectors, c => pooling == "mean" ? c.Mean : c.Pooler);
    }

    [Fact]
    public void ModelInOnnxSubfolderIsFound()
    {
        using var dir = ModelCopy.Of(RepositoryPaths.TinyModel, settings: null, modelInSubfolder: true);
        using TransformerEncoder encoder = TransformerEncoder.Open(dir.Path);
        GoldenCase first = Queries[0];
        MaxAbsoluteDifference.AssertWithinTolerance(first.Cls, encoder.EncodeQuery(first.Text), first.ToString());
    }

    [Fact]
    public void SentenceEmbeddingOutputWithoutTokenTypesIsDiscoveredAndNormalized()
    {
        using TransformerEncoder encoder = TransformerEncoder.Open(Path.Combine(RepositoryPaths.TestModels, "tiny-sentence"));
        Assert.Equal(Pooling.SentenceEmbedding, encoder.QuestionModel.Pooling);
        Assert.Equal(16, encoder.Dimension);
        float[] query = encoder.EncodeQuery("what is a river");
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(query), 1e-4f);
        // The prefixes ("query: " / "passage: ") make the same words encode differently on each side.
        Assert.NotEqual(query, encoder.EncodePassage(new PassageText("", "what is a river")));
    }

    [Fact]
    public void EmptyOverlongAndMalformedTextsEncode()
    {
        TransformerEncoder encoder = Shared.Value;
        string overlong = string.Join(' ', Enumerable.Repeat("mountain river valley", 2000));
        float[] vectors = new float[3 * encoder.Dimension];
        encoder.EncodeQueries(["", overlong, "broken \uD800 surrogate \uDC00 text"], vectors);
        Assert.All(vectors, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void ADirectoryWithOnlyTheModelAndVocabularyTakesItsShapeFromTheGraphAndListsWhatItAssumed()
    {
        using var dir = ModelCopy.Of(RepositoryPaths.TinyModel, settings: null, omit: "config.json");
        using TransformerEncoder encoder = TransformerEncoder.Open(dir.Path);
        Assert.Equal(32, encoder.Dimension);
        GoldenCase first = Queries[0];
        MaxAbsoluteDifference.AssertWithinTolerance(first.Cls, encoder.EncodeQuery(first.Text), first.ToString());
        Assert.Contains(encoder.Assumptions, a => a.Contains("pooling: Cls"));
        Assert.Contains(encoder.Assumptions, a => a.Contains("max_length: 256"));
        Assert.Contains(encoder.Assumptions, a => a.Contains("normalize: false"));
    }

    [Fact]
    public void PaddingRatioCountsTheBatchWidthAgainstRealTokens()
    {
        using TransformerEncoder encoder = TransformerEncoder.Open(RepositoryPaths.TinyModel,
            options: new TransformerEncoderOptions { Session = new() { IntraOpThreads = 1 } });
        Assert.Equal(1.0, encoder.PaddingRatio);
        GoldenCase[] cases = [Queries.First(c => c.Ids.Length == 9), Queries.First(c => c.Ids.Length == 2)];
        encoder.EncodeQueries(cases.Select(c => c.Text).ToArray(), new float[2 * encoder.Dimension]);
        Assert.Equal(18.0 / 11.0, encoder.PaddingRatio, 9);
        encoder.EncodeQueries([cases[0].Text], new float[encoder.Dimension]);
        Assert.Equal(27.0 / 20.0, encoder.PaddingRatio, 9);
    }

    [Fact]
    public void SettingsTheDirectoryStatesAreNotListedAsAssumed()
    {
        using var dir = ModelCopy.Of(RepositoryPaths.TinyModel, """{"pooling": "mean", "normalize": true, "max_length": 64}""");
        using TransformerEncoder encoder = TransformerEncoder.Open(dir.Path);
        Assert.Empty(encoder.Assumptions);
    }

    [Fact]
    public void UnknownInputNamesAreReportedWithTheKnownOnes()
    {
        var error = Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open(Path.Combine(RepositoryPaths.TestModels, "odd-names")));
        Assert.Contains("'ids'", error.Message);
        Assert.Contains("input_ids, attention_mask, token_type_ids", error.Message);
    }

    [Fact]
    public void MissingOutputForRequestedPoolingIsReported()
    {
        using var dir = ModelCopy.Of(Path.Combine(RepositoryPaths.TestModels, "tiny-sentence"), """{"pooling": "pooler"}""");
        var error = Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open(dir.Path));
        Assert.Contains("pooler_output", error.Message);
    }

    [Fact]
    public void MissingFilesAreReported()
    {
        Assert.Contains("does not exist", Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open("/nonexistent/model-dir")).Message);
        using (var noModel = ModelCopy.Of(RepositoryPaths.TinyModel, settings: null, omit: "model.onnx"))
        {
            Assert.Contains("model.onnx", Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open(noModel.Path)).Message);
        }
        using (var noTokenizer = ModelCopy.Of(Path.Combine(RepositoryPaths.TestModels, "tiny-sentence"), settings: null, omit: "vocab.txt", alsoOmit: "tokenizer.json"))
        {
            Assert.Contains("tokenizer", Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open(noTokenizer.Path)).Message);
        }
    }

    [Fact]
    public void MalformedFilesAreReported()
    {
        using (var garbage = ModelCopy.Of(RepositoryPaths.TinyModel, settings: null))
        {
            File.WriteAllText(Path.Combine(garbage.Path, "model.onnx"), "not a protobuf");
            Assert.Contains("not a usable ONNX model", Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open(garbage.Path)).Message);
        }
        using (var badJson = ModelCopy.Of(RepositoryPaths.TinyModel, "{ pooling: "))
        {
            Assert.Contains("not valid JSON", Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open(badJson.Path)).Message);
        }
        using (var unknownKey = ModelCopy.Of(RepositoryPaths.TinyModel, """{"poolng": "cls"}"""))
        {
            Assert.Contains("unknown setting 'poolng'", Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open(unknownKey.Path)).Message);
        }
        using (var badPooling = ModelCopy.Of(RepositoryPaths.TinyModel, """{"pooling": "max"}"""))
        {
            Assert.Contains("'pooling'", Assert.Throws<ModelFormatException>(() => TransformerEncoder.Open(badPooling.Path)).Message);
        }
    }

    [Fact]
    public void QuestionAndPassageModelsOfDifferentDimensionsAreRejected()
    {
        var error = Assert.Throws<ModelFormatException>(() =>
            TransformerEncoder.Open(RepositoryPaths.TinyModel, Path.Combine(RepositoryPaths.TestModels, "tiny-sentence")));
        Assert.Contains("different lengths", error.Message);
    }

    [Fact]
    public void SplitsCallsLargerThanTheMaximumBatch()
    {
        using TransformerEncoder small = TransformerEncoder.Open(RepositoryPaths.TinyModel,
            options: new TransformerEncoderOptions { MaxBatchSize = 2 });
        GoldenCase[] cases = Queries;
        var vectors = new float[cases.Length * small.Dimension];
        small.EncodeQueries(cases.Select(c => c.Text).ToArray(), vectors);
        AssertRows(cases, vectors, c => c.Cls);
    }

    [Fact]
    public void PreTokenizedRowsEqualGolden()
    {
        GoldenFile golden = GoldenFile.TinyBert;
        GoldenCase[] cases = golden.Batch.Cases.Select(i => golden.Cases[i]).ToArray();
        int width = golden.Batch.Width;
        var ids = new long[cases.Length * width];
        for (int r = 0; r < cases.Length; r++)
        {
            for (int t = 0; t < cases[r].Ids.Length; t++)
            {
                ids[r * width + t] = cases[r].Ids[t];
            }
        }
        var vectors = new float[cases.Length * 32];
        Shared.Value.QuestionModel.EncodeTokenized(ids, cases.Select(c => c.Ids.Length).ToArray(), width, vectors);
        AssertRows(cases, vectors, c => c.Cls);
    }

    private static void AssertRows(GoldenCase[] cases, float[] vectors, Func<GoldenCase, float[]> expected)
    {
        int dimension = vectors.Length / cases.Length;
        for (int i = 0; i < cases.Length; i++)
        {
            MaxAbsoluteDifference.AssertWithinTolerance(expected(cases[i]), vectors.AsSpan(i * dimension, dimension), cases[i].ToString());
        }
    }
}
