namespace DprCluster.Text.Tests.Bm25;

/// <summary>
/// Random documents over terms "w0".."wN" (words the analyzer keeps as they are), skewed so that some terms are
/// frequent and repeated within documents; seeded, so every run sees the same data.
/// </summary>
internal sealed class SyntheticCorpus
{
    public SyntheticCorpus(int seed, int documents, int vocabulary = 300, int minLength = 3, int maxLength = 80)
    {
        var random = new Random(seed);
        Vocabulary = vocabulary;
        for (int d = 0; d < documents; d++)
        {
            int length = random.Next(minLength, maxLength + 1);
            var terms = new string[length];
            for (int i = 0; i < length; i++)
            {
                terms[i] = Word(random, vocabulary);
            }
            Documents.Add(($"doc-{d:D5}", terms));
        }
        Random = random;
    }

    public int Vocabulary { get; }

    public Random Random { get; }

    public List<(string Id, string[] Terms)> Documents { get; } = [];

    public string[] Query(int terms)
    {
        var query = new string[terms];
        for (int i = 0; i < terms; i++)
        {
            query[i] = Word(Random, Vocabulary);
        }
        return query;
    }

    private static string Word(Random random, int vocabulary)
    {
        double u = random.NextDouble();
        return "w" + (int)(vocabulary * u * u);
    }
}
