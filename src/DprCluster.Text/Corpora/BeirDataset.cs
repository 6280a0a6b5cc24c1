using DprCluster.Text.Metrics;

namespace DprCluster.Text.Corpora;

/// <summary>
/// A retrieval benchmark in BEIR's layout: <c>corpus.jsonl</c>, <c>queries.jsonl</c> and <c>qrels/&lt;split&gt;.tsv</c>.
/// Only the queries judged in the split are kept, in file order.
/// </summary>
public sealed class BeirDataset
{
    /// <summary>Creates a dataset from its parts.</summary>
    public BeirDataset(IReadOnlyList<CorpusDocument> corpus, IReadOnlyList<CorpusQuery> queries, Qrels qrels)
    {
        Corpus = corpus;
        Queries = queries;
        Qrels = qrels;
    }

    /// <summary>The passages.</summary>
    public IReadOnlyList<CorpusDocument> Corpus { get; }

    /// <summary>The judged queries of the split.</summary>
    public IReadOnlyList<CorpusQuery> Queries { get; }

    /// <summary>The split's judgements.</summary>
    public Qrels Qrels { get; }

    /// <summary>Loads <paramref name="split"/> (e.g. <c>test</c>, <c>train</c>) of the BEIR directory.</summary>
    public static BeirDataset Load(string directory, string split)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(split);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"No such directory: {directory}");
        }
        string qrelsPath = Path.Combine(directory, "qrels", split + ".tsv");
        Qrels qrels = QrelsReader.Read(qrelsPath);
        var corpus = new List<CorpusDocument>(JsonlReader.ReadDocuments(Path.Combine(directory, "corpus.jsonl")));

        string queriesPath = Path.Combine(directory, "queries.jsonl");
        var judged = new HashSet<string>(qrels.QueryIds, StringComparer.Ordinal);
        var queries = new List<CorpusQuery>();
        foreach (CorpusQuery query in JsonlReader.ReadQueries(queriesPath))
        {
            if (judged.Remove(query.Id))
            {
                queries.Add(query);
            }
        }
        if (judged.Count > 0)
        {
            throw new CorpusFormatException(qrelsPath, 0,
                $"{judged.Count} judged queries are missing from {queriesPath}, e.g. '{judged.First()}'");
        }
        return new BeirDataset(corpus, queries, qrels);
    }
}
