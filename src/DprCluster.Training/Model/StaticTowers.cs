using System.Numerics.Tensors;
using DprCluster.Encoders.Static;
using DprCluster.Encoders.Trained;
using DprCluster.Training.Data;
using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>
/// The notebook's dual encoder with its own embeddings: separate question and passage towers, each a table of the
/// training vocabulary's word vectors (initialised from the static vectors) summed with SIF weights times a trained
/// weight per frequency bucket, then a linear map initialised to the identity (so words never seen in training move
/// with it), then L2 normalisation. Untrained, both towers equal the static encoder.
/// </summary>
public sealed class StaticTowers
{
    /// <summary>
    /// The frequency weights' learning rate over the run's: forty weights shared by every word barely move at a rate
    /// sized for word vectors (measured on SQuAD split A's held-out articles and SciFact's held-out train questions).
    /// </summary>
    public const float FrequencyWeightLearningRateScale = 100;

    private StaticTowers(DualTowerModel model, string[] words)
    {
        Model = model;
        Words = words;
    }

    /// <summary>The towers being trained.</summary>
    public DualTowerModel Model { get; }

    /// <summary>The word of each trainable row (row i of both tables).</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Builds both towers over the words of <paramref name="set"/>'s questions and passages.</summary>
    public static StaticTowers Create(StaticEncoder encoder, TrainingSet set)
    {
        // The vocabulary, in first-seen order so a run is reproducible.
        var slots = new Dictionary<int, int>();
        var vocabulary = new List<int>();
        var ranks = new List<int>();
        void Collect(string text)
        {
            ranks.Clear();
            encoder.AppendWordRanks(text, ranks);
            foreach (int rank in ranks)
            {
                if (slots.TryAdd(rank, vocabulary.Count))
                {
                    vocabulary.Add(rank);
                }
            }
        }
        foreach (string question in set.Questions)
        {
            Collect(question);
        }
        foreach (Text.Corpora.CorpusDocument document in set.Corpus)
        {
            Collect(document.Title);
            Collect(document.Text);
        }
        int d = encoder.Dimension;
        var initial = new float[Math.Max(1, vocabulary.Count) * d];
        var words = new string[vocabulary.Count];
        for (int slot = 0; slot < vocabulary.Count; slot++)
        {
            TensorPrimitives.ConvertToSingle(encoder.QuestionVectors.VectorAt(vocabulary[slot]), initial.AsSpan(slot * d, d));
            words[slot] = encoder.QuestionVectors.WordAt(vocabulary[slot]);
        }

        WordBagInput Bags(string side, float[] table, int count, Func<int, (string Title, string Text)> text)
        {
            var offsets = new int[count + 1];
            var bagSlots = new List<int>();
            var weights = new List<float>();
            var buckets = new List<int>();
            for (int i = 0; i < count; i++)
            {
                ranks.Clear();
                (string title, string body) = text(i);
                encoder.AppendWordRanks(title, ranks);
                encoder.AppendWordRanks(body, ranks);
                foreach (int rank in ranks)
                {
                    bagSlots.Add(slots[rank]);
                    weights.Add(encoder.SifWeightOf(rank));
                    buckets.Add(FrequencyBuckets.Of(rank));
                }
                offsets[i + 1] = bagSlots.Count;
            }
            return new WordBagInput(new Parameter($"{side} word vectors", table, d, sparse: true),
                new Parameter($"{side} frequency weights", new float[FrequencyBuckets.Count], FrequencyBuckets.Count, sparse: false,
                    FrequencyWeightLearningRateScale),
                offsets, [.. bagSlots], [.. weights], [.. buckets]);
        }

        var questions = new Tower(Bags("question", (float[])initial.Clone(), set.Questions.Count, i => ("", set.Questions[i])),
            new Parameter("question map", LinearMap.Identity(d).Weights, d, sparse: false));
        var passages = new Tower(Bags("passage", initial, set.Corpus.Count, i => (set.Corpus[i].Title, set.Corpus[i].Text)),
            new Parameter("passage map", LinearMap.Identity(d).Weights, d, sparse: false));
        return new StaticTowers(new DualTowerModel(questions, passages), words);
    }
}
