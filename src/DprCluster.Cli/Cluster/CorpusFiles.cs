using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Cluster;

/// <summary>Reads passages from a JSONL file (<c>{id, title, text}</c>) or a BEIR folder (its corpus.jsonl), and a BEIR folder's questions.</summary>
internal static class CorpusFiles
{
    /// <summary>Streams the passages of <paramref name="path"/>.</summary>
    public static IEnumerable<CorpusDocument> ReadPassages(string path) =>
        JsonlReader.ReadDocuments(Directory.Exists(path) ? Path.Combine(path, "corpus.jsonl") : path);

    /// <summary>The first <paramref name="count"/> questions of a BEIR folder, or none for a plain JSONL file.</summary>
    public static IReadOnlyList<string> ReadQuestions(string path, int count)
    {
        string queries = Path.Combine(path, "queries.jsonl");
        var questions = new List<string>(count);
        if (!Directory.Exists(path) || !File.Exists(queries))
        {
            return questions;
        }
        foreach (CorpusQuery query in JsonlReader.ReadQueries(queries))
        {
            if (questions.Count == count)
            {
                break;
            }
            questions.Add(query.Text);
        }
        return questions;
    }
}
