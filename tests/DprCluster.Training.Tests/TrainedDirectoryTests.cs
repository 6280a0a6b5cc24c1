using DprCluster.Encoders;
using DprCluster.Encoders.Static;
using DprCluster.Encoders.Trained;
using DprCluster.Training.Model;
using DprCluster.Training.Negatives;

namespace DprCluster.Training.Tests;

/// <summary>A trained model written to a directory encodes, through the serving encoders, what the trainer computed.</summary>
public sealed class TrainedDirectoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dprcluster-train-test-").FullName;

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    public void TrainedTowersRoundTripThroughTheStaticEncoder(int hashedDimensions)
    {
        var set = TinyCorpus.Set(validationTopics: 0);
        StaticTowers towers = StaticTowers.Create(TinyCorpus.Encoder(), set, hashedDimensions);
        Train(towers.Model, set);
        TrainedModelWriter.WriteTowers(_directory, towers);

        Assert.True(TrainedModelManifest.IsTrainedDirectory(_directory));
        using StaticEncoder encoder = TrainedEncoder.OpenTowers(_directory, TinyCorpus.Table());
        Assert.Equal(TinyCorpus.Dimension + hashedDimensions, encoder.Dimension);
        if (hashedDimensions > 0)
        {
            // Training switched the question channel on (its scale starts at 0).
            Assert.NotEqual(0f, towers.Model.Questions.HashedWords!.Scale);
        }
        for (int q = 0; q < 4; q++)
        {
            AssertNear(Expected(towers.Model.Questions, q), encoder.EncodeQuery(set.Questions[q]), 5e-3f);
        }
        for (int p = 0; p < 4; p++)
        {
            AssertNear(Expected(towers.Model.Passages, p), encoder.EncodePassage(new PassageText(set.Corpus[p].Title, set.Corpus[p].Text)), 5e-3f);
        }
        // The towers differ from the untrained encoder, which is what training was for.
        float[] untrained = TinyCorpus.Encoder().EncodeQuery(set.Questions[0]);
        Assert.True(MaxDifference(untrained, encoder.EncodeQuery(set.Questions[0])[..TinyCorpus.Dimension]) > 0.05f);
    }

    [Fact]
    public void TrainedAdaptersRoundTripOverTheirBaseEncoder()
    {
        var set = TinyCorpus.Set();
        using var inner = new TableEncoder(set, dimension: 6);
        DualTowerModel model = Adapters.Create(inner.QuestionVectors, inner.PassageVectors, 6, adaptPassages: true);
        Train(model, set);
        TrainedModelWriter.WriteAdapters(_directory, model, "test-base");

        TrainedModelManifest manifest = TrainedModelManifest.Read(_directory);
        Assert.Equal(TrainedKind.Adapter, manifest.Trained);
        Assert.Equal("test-base", manifest.Base);
        using AdaptedEncoder encoder = TrainedEncoder.OpenAdapter(_directory, new TableEncoder(set, dimension: 6));
        for (int q = 0; q < 4; q++)
        {
            AssertNear(Expected(model.Questions, q), encoder.EncodeQuery(set.Questions[q]), 1e-5f);
        }
        for (int p = 0; p < 4; p++)
        {
            AssertNear(Expected(model.Passages, p), encoder.EncodePassage(new PassageText(set.Corpus[p].Title, set.Corpus[p].Text)), 1e-5f);
        }
    }

    [Theory]
    [InlineData("\"dimensions\": 8", "\"dimensions\": 0")]
    [InlineData("\"question_frequency_weights\": [", "\"question_frequency_weights\": [ 1,")]
    [InlineData("\"passage_frequency_weights\": [", "\"passage_frequency_weights\": [ -1,")]
    public void ABadHashedWordChannelInTheManifestIsRefused(string from, string to)
    {
        StaticTowers towers = StaticTowers.Create(TinyCorpus.Encoder(), TinyCorpus.Set(validationTopics: 0), hashedDimensions: 8);
        TrainedModelWriter.WriteTowers(_directory, towers);
        string manifest = Path.Combine(_directory, "dprcluster.json");
        // The channel is the manifest's last member: the last match is inside it.
        string text = File.ReadAllText(manifest);
        int at = text.LastIndexOf(from, StringComparison.Ordinal);
        Assert.True(at > text.IndexOf("\"hashed_words\"", StringComparison.Ordinal), $"{from} is not in hashed_words");
        File.WriteAllText(manifest, text[..at] + to + text[(at + from.Length)..]);
        Assert.Throws<DprCluster.Encoders.Transformer.ModelFormatException>(() => TrainedEncoder.OpenTowers(_directory, TinyCorpus.Table()));
    }

    [Fact]
    public void ADamagedMapIsRefusedWithTheFileNamed()
    {
        var set = TinyCorpus.Set();
        using var inner = new TableEncoder(set, dimension: 6);
        DualTowerModel model = Adapters.Create(inner.QuestionVectors, inner.PassageVectors, 6, adaptPassages: false);
        TrainedModelWriter.WriteAdapters(_directory, model, "test-base");
        string map = Path.Combine(_directory, TrainedModelWriter.QuestionMapFile);
        byte[] bytes = File.ReadAllBytes(map);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(map, bytes);
        var error = Assert.Throws<DprCluster.Core.Storage.SnapshotFormatException>(() => TrainedEncoder.OpenAdapter(_directory, new TableEncoder(set, 6)));
        Assert.Contains(TrainedModelWriter.QuestionMapFile, error.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static void Train(DualTowerModel model, Data.TrainingSet set) =>
        new ContrastiveTrainer(model, set, Bm25HardNegatives.Mine(set, NegativeOptions.Bm25Pool, 1),
            new TrainingOptions { BatchSize = 8, Epochs = 4, LearningRate = 5e-3f, Patience = 4 }).Train();

    private static float[] Expected(Tower tower, int item)
    {
        var input = new float[tower.InputDimension];
        var unit = new float[tower.Dimension];
        tower.Forward(item, input, unit);
        return unit;
    }

    private static void AssertNear(float[] expected, float[] actual, float tolerance) =>
        Assert.True(MaxDifference(expected, actual) <= tolerance, $"vectors differ by {MaxDifference(expected, actual)}");

    private static float MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }
        return max;
    }

    /// <summary>A frozen "base model" that looks texts up in fixed random vectors, as a pretrained encoder would map them.</summary>
    private sealed class TableEncoder : IEncoder
    {
        private readonly Dictionary<string, int> _questions = [];
        private readonly Dictionary<string, int> _passages = [];

        public TableEncoder(Data.TrainingSet set, int dimension)
        {
            Dimension = dimension;
            var random = new Random(9);
            QuestionVectors = [.. Enumerable.Range(0, set.Questions.Count * dimension).Select(_ => random.NextSingle() - 0.5f)];
            PassageVectors = [.. Enumerable.Range(0, set.Corpus.Count * dimension).Select(_ => random.NextSingle() - 0.5f)];
            for (int i = 0; i < set.Questions.Count; i++)
            {
                _questions[set.Questions[i]] = i;
            }
            for (int i = 0; i < set.Corpus.Count; i++)
            {
                _passages[set.Corpus[i].Text] = i;
            }
        }

        public int Dimension { get; }

        public float[] QuestionVectors { get; }

        public float[] PassageVectors { get; }

        public void EncodeQueries(ReadOnlySpan<string> queries, Span<float> destination)
        {
            for (int i = 0; i < queries.Length; i++)
            {
                QuestionVectors.AsSpan(_questions[queries[i]] * Dimension, Dimension).CopyTo(destination.Slice(i * Dimension));
            }
        }

        public void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination)
        {
            for (int i = 0; i < passages.Length; i++)
            {
                PassageVectors.AsSpan(_passages[passages[i].Text] * Dimension, Dimension).CopyTo(destination.Slice(i * Dimension));
            }
        }

        public void Dispose()
        {
        }
    }
}
