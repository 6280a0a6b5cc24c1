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
/// with it), then L2 normalisation; optionally with a hashed-word channel beside it (<see cref="HashedWordBags"/>).
/// Untrained, the question tower equals the static encoder and the passage tower ranks as it does: the question
/// channel's scale starts at 0 (the passage channel's at 1, so the question scale's gradient is not zero).
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

    /// <summary>Hashed buckets of the channel <c>dprcluster train --encoder static</c> adds unless told otherwise.</summary>
    public const int DefaultHashedDimensions = 1024;

    /// <summary>
    /// Builds both towers over the words of <paramref name="set"/>'s questions and passages, each with a hashed-word
    /// channel of <paramref name="hashedDimensions"/> buckets (none for 0).
    /// </summary>
    public static StaticTowers Create(StaticEncoder encoder, TrainingSet set, int hashedDimensions = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hashedDimensions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hashedDimensions, HashedWordChannel.MaxDimensions);
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

        var slotBuckets = new int[vocabulary.Count];
        var slotSigns = new float[vocabulary.Count];
        for (int slot = 0; slot < vocabulary.Count && hashedDimensions > 0; slot++)
        {
            slotBuckets[slot] = WordHashing.BucketOf(words[slot], hashedDimensions, out slotSigns[slot]);
        }

        Tower Build(string side, float[] table, int count, Func<int, (string Title, string Text)> text)
        {
            var offsets = new int[count + 1];
            var bagSlots = new List<int>();
            var weights = new List<float>();
            var buckets = new List<int>();
            var channelOffsets = new int[count + 1];
            var channelBuckets = new List<int>();
            var channelWeights = new List<float>();
            var channelFrequencyBuckets = new List<int>();
            var distinct = new HashSet<int>();
            for (int i = 0; i < count; i++)
            {
                ranks.Clear();
                (string title, string body) = text(i);
                encoder.AppendWordRanks(title, ranks);
                encoder.AppendWordRanks(body, ranks);
                distinct.Clear();
                foreach (int rank in ranks)
                {
                    int slot = slots[rank];
                    bagSlots.Add(slot);
                    weights.Add(encoder.SifWeightOf(rank));
                    buckets.Add(FrequencyBuckets.Of(rank));
                    if (hashedDimensions > 0 && distinct.Add(slot))
                    {
                        channelBuckets.Add(slotBuckets[slot]);
                        channelWeights.Add(slotSigns[slot] * encoder.SifWeightOf(rank));
                        channelFrequencyBuckets.Add(FrequencyBuckets.Of(rank));
                    }
                }
                offsets[i + 1] = bagSlots.Count;
                channelOffsets[i + 1] = channelBuckets.Count;
            }
            var bags = new WordBagInput(new Parameter($"{side} word vectors", table, d, sparse: true),
                new Parameter($"{side} frequency weights", new float[FrequencyBuckets.Count], FrequencyBuckets.Count, sparse: false,
                    FrequencyWeightLearningRateScale),
                offsets, [.. bagSlots], [.. weights], [.. buckets]);
            HashedWordBags? channel = hashedDimensions == 0 ? null : new HashedWordBags(hashedDimensions,
                new Parameter($"{side} hashed-word frequency weights", new float[FrequencyBuckets.Count], FrequencyBuckets.Count, sparse: false,
                    FrequencyWeightLearningRateScale),
                new Parameter($"{side} hashed-word scale", [side == "question" ? 0f : 1f], 1, sparse: false, FrequencyWeightLearningRateScale),
                channelOffsets, [.. channelBuckets], [.. channelWeights], [.. channelFrequencyBuckets]);
            return new Tower(bags, new Parameter($"{side} map", LinearMap.Identity(d).Weights, d, sparse: false), channel);
        }

        Tower questions = Build("question", (float[])initial.Clone(), set.Questions.Count, i => ("", set.Questions[i]));
        Tower passages = Build("passage", initial, set.Corpus.Count, i => (set.Corpus[i].Title, set.Corpus[i].Text));
        return new StaticTowers(new DualTowerModel(questions, passages), words);
    }
}
