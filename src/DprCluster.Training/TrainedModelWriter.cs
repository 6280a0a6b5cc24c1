using DprCluster.Encoders.Static;
using DprCluster.Encoders.Trained;
using DprCluster.Training.Model;

namespace DprCluster.Training;

/// <summary>Writes trained weights as a model directory the encoders load (see <see cref="TrainedEncoder"/>).</summary>
public static class TrainedModelWriter
{
    /// <summary>The question tower's trained word rows.</summary>
    public const string QuestionVectorsFile = "question-vectors.dprvec";

    /// <summary>The passage tower's trained word rows.</summary>
    public const string PassageVectorsFile = "passage-vectors.dprvec";

    /// <summary>The question side's linear map.</summary>
    public const string QuestionMapFile = "question-map.dprmap";

    /// <summary>The passage side's linear map.</summary>
    public const string PassageMapFile = "passage-map.dprmap";

    /// <summary>
    /// Writes trained word-vector towers: each tower's rows for the training vocabulary (as half floats), its map, and its
    /// hashed-word channel's weights in the manifest.
    /// </summary>
    public static void WriteTowers(string directory, StaticTowers towers)
    {
        Directory.CreateDirectory(directory);
        DualTowerModel model = towers.Model;
        int d = model.Questions.InputDimension;
        string[] words = [.. towers.Words];
        var questionBags = (WordBagInput)model.Questions.Input;
        var passageBags = (WordBagInput)model.Passages.Input;
        WriteRows(Path.Combine(directory, QuestionVectorsFile), words, questionBags.Table.Values, d);
        WriteRows(Path.Combine(directory, PassageVectorsFile), words, passageBags.Table.Values, d);
        new LinearMap(d, d, model.Questions.Map!.Values).Save(Path.Combine(directory, QuestionMapFile));
        new LinearMap(d, d, model.Passages.Map!.Values).Save(Path.Combine(directory, PassageMapFile));
        new TrainedModelManifest
        {
            Trained = TrainedKind.StaticTowers,
            Base = "static",
            Dimension = model.Questions.Dimension,
            QuestionVectors = QuestionVectorsFile,
            PassageVectors = PassageVectorsFile,
            QuestionMap = QuestionMapFile,
            PassageMap = PassageMapFile,
            QuestionFrequencyWeights = Exp(questionBags.LogFrequencyWeights.Values),
            PassageFrequencyWeights = Exp(passageBags.LogFrequencyWeights.Values),
            HashedWords = HashedWords(model),
        }.Write(directory);
    }

    private static TrainedHashedWords? HashedWords(DualTowerModel model) =>
        model.Questions.HashedWords is { } questions && model.Passages.HashedWords is { } passages
            ? new TrainedHashedWords
            {
                Dimensions = questions.Dimension,
                QuestionScale = questions.Scale,
                PassageScale = passages.Scale,
                QuestionFrequencyWeights = Exp(questions.LogFrequencyWeights.Values),
                PassageFrequencyWeights = Exp(passages.LogFrequencyWeights.Values),
            }
            : null;

    private static float[] Exp(float[] logs)
    {
        var values = new float[logs.Length];
        System.Numerics.Tensors.TensorPrimitives.Exp(logs, values);
        return values;
    }

    /// <summary>Writes trained adapters over <paramref name="baseModel"/> (a pretrained name or a model directory).</summary>
    public static void WriteAdapters(string directory, DualTowerModel model, string baseModel)
    {
        Directory.CreateDirectory(directory);
        int d = model.Questions.Dimension;
        File.Delete(Path.Combine(directory, PassageMapFile));
        new LinearMap(d, d, model.Questions.Map!.Values).Save(Path.Combine(directory, QuestionMapFile));
        if (model.Passages.Map is { } passageMap)
        {
            new LinearMap(d, d, passageMap.Values).Save(Path.Combine(directory, PassageMapFile));
        }
        new TrainedModelManifest
        {
            Trained = TrainedKind.Adapter,
            Base = baseModel,
            Dimension = d,
            QuestionMap = QuestionMapFile,
            PassageMap = model.Passages.Map is null ? null : PassageMapFile,
        }.Write(directory);
    }

    private static void WriteRows(string path, string[] words, float[] values, int d)
    {
        var halves = new Half[words.Length * d];
        for (int i = 0; i < halves.Length; i++)
        {
            halves[i] = (Half)values[i];
        }
        new WordVectorTable(words, halves, d).Save(path);
    }
}
