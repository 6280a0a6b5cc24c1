using System.Text.Json;
using DprCluster.Text.Metrics;

namespace DprCluster.Text.Corpora;

/// <summary>
/// Reads a SQuAD v1.1 file (<c>dev-v1.1.json</c>) as a closed-corpus QA retrieval benchmark: every paragraph is a
/// passage with id <c>&lt;article title&gt;#&lt;paragraph index&gt;</c> and the title with underscores as spaces;
/// every question is a query whose distinct answer texts are its answers and whose source paragraph is its one
/// relevant passage — the same view as the data's <c>beir_format/</c>.
/// </summary>
public static class SquadReader
{
    /// <summary>Reads the file.</summary>
    public static BeirDataset Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such file: {path}", path);
        }
        try
        {
            using FileStream stream = File.OpenRead(path);
            using JsonDocument document = JsonDocument.Parse(stream);
            var corpus = new List<CorpusDocument>();
            var queries = new List<CorpusQuery>();
            var qrels = new Qrels();
            foreach (JsonElement article in Property(document.RootElement, "data").EnumerateArray())
            {
                string title = Property(article, "title").GetString()!;
                int paragraphIndex = 0;
                foreach (JsonElement paragraph in Property(article, "paragraphs").EnumerateArray())
                {
                    string passageId = $"{title}#{paragraphIndex++}";
                    corpus.Add(new CorpusDocument(passageId, title.Replace('_', ' '), Property(paragraph, "context").GetString()!));
                    foreach (JsonElement qa in Property(paragraph, "qas").EnumerateArray())
                    {
                        var answers = new List<string>();
                        foreach (JsonElement answer in Property(qa, "answers").EnumerateArray())
                        {
                            string text = Property(answer, "text").GetString()!;
                            if (!answers.Contains(text))
                            {
                                answers.Add(text);
                            }
                        }
                        string questionId = Property(qa, "id").GetString()!;
                        queries.Add(new CorpusQuery(questionId, Property(qa, "question").GetString()!, answers));
                        qrels.Add(questionId, passageId, 1);
                    }
                }
            }
            return new BeirDataset(corpus, queries, qrels);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw new CorpusFormatException(path, 0, $"not a SQuAD v1.1 file: {e.Message}", e);
        }
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value)
            ? value
            : throw new KeyNotFoundException($"missing \"{name}\"");
}
