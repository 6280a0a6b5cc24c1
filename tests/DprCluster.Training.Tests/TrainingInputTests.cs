using DprCluster.Text.Corpora;
using DprCluster.Training.Data;
using DprCluster.Training.Negatives;

namespace DprCluster.Training.Tests;

public sealed class TrainingInputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dprcluster-pairs-test-").FullName;

    [Theory]
    [InlineData("in-batch,bm25:3,random:2", true, 3, 2)]
    [InlineData("bm25:1", false, 1, 0)]
    [InlineData(" random:5 , in-batch ", true, 0, 5)]
    public void NegativesParse(string text, bool inBatch, int bm25, int random)
    {
        Assert.Equal(new NegativeOptions(inBatch, bm25, random), NegativeOptions.Parse(text));
        Assert.Equal(NegativeOptions.Parse(text), NegativeOptions.Parse(NegativeOptions.Parse(text).ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bm25")]
    [InlineData("bm25:0")]
    [InlineData("bm25:x")]
    [InlineData("hard:2")]
    public void BadNegativesSayWhatIsWrong(string text) => Assert.Throws<FormatException>(() => NegativeOptions.Parse(text));

    [Fact]
    public void PairsFileGroupsQuestionsAndAddsInlinePositivesToTheCorpus()
    {
        string corpus = Write("corpus.jsonl", """
            {"_id": "a", "title": "A", "text": "alpha text"}
            {"_id": "b", "title": "B", "text": "beta text"}
            """);
        string pairs = Write("pairs.jsonl", """
            {"question": "what is alpha?", "positive_id": "a"}
            {"question": "what is alpha?", "positive": {"title": "Alpha", "text": "alpha is the first letter"}}
            {"question": "what is beta?", "positive_id": "b"}
            """);
        TrainingSet set = TrainingSources.Load(pairs, "train", corpus, validate: null, "dev", holdout: 0, seed: 1);
        Assert.Equal(3, set.Corpus.Count);
        Assert.Equal(2, set.Questions.Count);
        Assert.Equal(3, set.Examples.Count);
        Assert.Equal(2, set.Positives[0].Length);
        Assert.Empty(set.ValidationQuestions);
    }

    [Fact]
    public void APairNamingAMissingPassageIsRefusedWithItsLine()
    {
        string corpus = Write("corpus.jsonl", """{"_id": "a", "text": "alpha"}""");
        string pairs = Write("pairs.jsonl", """
            {"question": "q1", "positive_id": "a"}
            {"question": "q2", "positive_id": "zzz"}
            """);
        var error = Assert.Throws<CorpusFormatException>(() => TrainingSources.Load(pairs, "train", corpus, null, "dev", 0, 1));
        Assert.Contains("zzz", error.Message);
        Assert.Contains(":2", error.Message);
    }

    [Fact]
    public void HoldoutIsSeededAndDisjointFromTraining()
    {
        string corpus = Write("corpus.jsonl", string.Join('\n', Enumerable.Range(0, 50).Select(i => $$"""{"_id": "p{{i}}", "text": "passage {{i}}"}""")));
        string pairs = Write("pairs.jsonl", string.Join('\n', Enumerable.Range(0, 50).Select(i => $$"""{"question": "question {{i}}", "positive_id": "p{{i}}"}""")));
        TrainingSet first = TrainingSources.Load(pairs, "train", corpus, null, "dev", 0.2, seed: 4);
        TrainingSet again = TrainingSources.Load(pairs, "train", corpus, null, "dev", 0.2, seed: 4);
        TrainingSet other = TrainingSources.Load(pairs, "train", corpus, null, "dev", 0.2, seed: 5);
        Assert.Equal(10, first.ValidationQuestions.Count);
        Assert.Equal(40, first.TrainQuestions.Count);
        Assert.Empty(first.ValidationQuestions.Intersect(first.TrainQuestions));
        Assert.Equal(first.ValidationQuestions, again.ValidationQuestions);
        Assert.NotEqual(first.ValidationQuestions, other.ValidationQuestions);
    }

    [Fact]
    public void Bm25HardNegativesShareWordsButAreNeverPositives()
    {
        TrainingSet set = TinyCorpus.Set();
        int[][] negatives = Bm25HardNegatives.Mine(set, pool: 5, threads: 2);
        Assert.Contains(set.TrainQuestions, q => negatives[q].Length > 0);
        foreach (int q in set.TrainQuestions)
        {
            Assert.True(negatives[q].Length <= 5);
            Assert.DoesNotContain(negatives[q], p => set.IsPositive(q, p));
        }
        foreach (int q in set.ValidationQuestions)
        {
            Assert.Empty(negatives[q]);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
