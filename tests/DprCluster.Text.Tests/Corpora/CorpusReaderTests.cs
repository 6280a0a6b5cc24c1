using DprCluster.Text.Corpora;
using DprCluster.Text.Metrics;

namespace DprCluster.Text.Tests.Corpora;

public sealed class CorpusReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("corpora-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void ReadsBeirAndAnseriniRecords()
    {
        string path = Write("corpus.jsonl",
            "{\"_id\": \"d1\", \"title\": \"T\", \"text\": \"body\", \"metadata\": {}}\n\n" +
            "{\"id\": 42, \"contents\": \"anserini style\"}\n");
        List<CorpusDocument> documents = [.. JsonlReader.ReadDocuments(path)];
        Assert.Equal([new CorpusDocument("d1", "T", "body"), new CorpusDocument("42", "", "anserini style")], documents);
    }

    [Theory]
    [InlineData("{\"_id\": \"d1\", \"text\": \"ok\"}\nnot json\n", 2)]
    [InlineData("[1, 2]\n", 1)]
    [InlineData("{\"text\": \"no id\"}\n", 1)]
    [InlineData("{\"_id\": \"d1\"}\n", 1)]
    [InlineData("{\"_id\": \"d1\", \"text\": 5}\n", 1)]
    [InlineData("{\"_id\": \"\", \"text\": \"x\"}\n", 1)]
    public void MalformedLinesNameTheirLine(string content, int line)
    {
        string path = Write("bad.jsonl", content);
        var error = Assert.Throws<CorpusFormatException>(() => JsonlReader.ReadDocuments(path).ToList());
        Assert.Equal(line, error.Line);
        Assert.Contains($"bad.jsonl:{line}", error.Message);
    }

    [Fact]
    public void ReadsAnswersFromQueryMetadata()
    {
        string path = Write("queries.jsonl",
            "{\"_id\": \"q1\", \"text\": \"who?\", \"metadata\": {\"answers\": [\"A\", \"B\"]}}\n" +
            "{\"_id\": \"q2\", \"text\": \"what?\", \"metadata\": {\"evidence\": 1}}\n");
        List<CorpusQuery> queries = [.. JsonlReader.ReadQueries(path)];
        Assert.Equal(["A", "B"], queries[0].Answers);
        Assert.Empty(queries[1].Answers);

        string bad = Write("bad-queries.jsonl", "{\"_id\": \"q\", \"text\": \"x\", \"metadata\": {\"answers\": [1]}}\n");
        Assert.Throws<CorpusFormatException>(() => JsonlReader.ReadQueries(bad).ToList());
    }

    [Fact]
    public void ReadsBeirAndTrecQrels()
    {
        Qrels beir = QrelsReader.Read(Write("beir.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n"));
        Assert.Equal(2, beir.For("q1")["d1"]);
        Assert.Equal(0, beir.For("q1")["d2"]);
        Assert.Empty(beir.For("q9"));

        Qrels trec = QrelsReader.Read(Write("trec.txt", "q1 0 d1 1\nq2 0 d3 2\n"));
        Assert.Equal(2, trec.Count);
        Assert.Equal(2, trec.For("q2")["d3"]);

        Assert.Throws<CorpusFormatException>(() => QrelsReader.Read(Write("bad1.tsv", "q1\td1\t1\nq1\td2\tmaybe\n")));
        Assert.Throws<CorpusFormatException>(() => QrelsReader.Read(Write("bad2.tsv", "q1\td1\n")));
        Assert.Throws<CorpusFormatException>(() => QrelsReader.Read(Write("bad3.tsv", "q1\td1\t1\nq1\td1\t1\n")));
        Assert.Throws<FileNotFoundException>(() => QrelsReader.Read(Path.Combine(_directory, "missing.tsv")));
    }

    [Fact]
    public void BeirDatasetKeepsOnlyJudgedQueriesAndReportsMissingOnes()
    {
        Write("set/corpus.jsonl", "{\"_id\": \"d1\", \"title\": \"\", \"text\": \"x\"}\n");
        Write("set/queries.jsonl", "{\"_id\": \"q1\", \"text\": \"a\"}\n{\"_id\": \"q2\", \"text\": \"b\"}\n");
        Write("set/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq2\td1\t1\n");
        BeirDataset dataset = BeirDataset.Load(Path.Combine(_directory, "set"), "test");
        Assert.Equal(["q2"], dataset.Queries.Select(q => q.Id));

        Write("set/qrels/train.tsv", "q7\td1\t1\n");
        Assert.Throws<CorpusFormatException>(() => BeirDataset.Load(Path.Combine(_directory, "set"), "train"));
        Assert.Throws<FileNotFoundException>(() => BeirDataset.Load(Path.Combine(_directory, "set"), "dev"));
        Assert.Throws<DirectoryNotFoundException>(() => BeirDataset.Load(Path.Combine(_directory, "nope"), "test"));
    }

    [Fact]
    public void RejectsFilesThatAreNotSquad()
    {
        Assert.Throws<CorpusFormatException>(() => SquadReader.Read(Write("a.json", "{\"version\": \"1.1\"}")));
        Assert.Throws<CorpusFormatException>(() => SquadReader.Read(Write("b.json", "{\"data\": [{\"title\": 5}]}")));
        Assert.Throws<CorpusFormatException>(() => SquadReader.Read(Write("c.json", "not json")));
    }
}
