using DprCluster.Encoders.Static;
using DprCluster.Text.Corpora;
using DprCluster.Training.Data;

namespace DprCluster.Training.Tests;

/// <summary>
/// A small synthetic retrieval task over a random word-vector table. Each topic has four passages, one per kind (a
/// person, a place, a date, a count), marked by a kind word; a question names the topic and asks who, where, when or how
/// many. Untrained, a question matches its topic's four passages alike; a trained model learns which question word
/// meets which kind word, and that carries over to topics it never trained on.
/// </summary>
internal static class TinyCorpus
{
    public const int Dimension = 8;

    private static readonly string[] QuestionWords = ["who", "where", "when", "many"];
    private static readonly string[] KindWords = ["born", "city", "year", "count"];

    public static WordVectorTable Table(int seed = 3)
    {
        string[] words = ["the", "is", "of", "a", "in", "about", .. QuestionWords, .. KindWords, .. Enumerable.Range(0, 40).Select(Topic)];
        var random = new Random(seed);
        var vectors = new Half[words.Length * Dimension];
        for (int i = 0; i < vectors.Length; i++)
        {
            vectors[i] = (Half)(random.NextSingle() * 2 - 1);
        }
        return new WordVectorTable(words, vectors, Dimension);
    }

    public static StaticEncoder Encoder(int seed = 3) => new(Table(seed));

    // Letters only: the word splitter would cut "topic12" into "topic" and "12".
    public static string Topic(int i) => $"topic{(char)('a' + i / 26)}{(char)('a' + i % 26)}";

    /// <summary>
    /// <paramref name="topics"/> × 4 passages (p0, p1, …) and as many questions, question i judged relevant to passage i;
    /// question 0 is also judged relevant to passage 1 (a question with two positives). The last
    /// <paramref name="validationTopics"/> topics' questions are held out.
    /// </summary>
    public static TrainingSet Set(int topics = 10, int validationTopics = 2)
    {
        var corpus = new List<CorpusDocument>();
        var questions = new List<string>();
        var judgments = new List<IReadOnlyDictionary<string, int>>();
        for (int t = 0; t < topics; t++)
        {
            for (int kind = 0; kind < 4; kind++)
            {
                int i = corpus.Count;
                corpus.Add(new CorpusDocument($"p{i}", Topic(t), $"the {Topic(t)} is a {KindWords[kind]} of the {Topic((t + 1) % 40)}"));
                questions.Add($"{QuestionWords[kind]} is the {Topic(t)}");
                judgments.Add(i == 0
                    ? new Dictionary<string, int> { ["p0"] = 1, ["p1"] = 1 }
                    : new Dictionary<string, int> { [$"p{i}"] = 1 });
            }
        }
        int held = validationTopics * 4;
        int[] train = [.. Enumerable.Range(0, questions.Count - held)];
        int[] validation = [.. Enumerable.Range(questions.Count - held, held)];
        return new TrainingSet(corpus, questions, judgments, train, validation);
    }
}
