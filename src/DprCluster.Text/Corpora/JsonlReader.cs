using System.Text.Json;

namespace DprCluster.Text.Corpora;

/// <summary>
/// Reads JSON-lines corpora and queries: BEIR's <c>corpus.jsonl</c> (<c>_id</c>, <c>title</c>, <c>text</c>),
/// Pyserini/Anserini JsonCollection (<c>id</c>, <c>contents</c>) and BEIR <c>queries.jsonl</c>, whose
/// <c>metadata.answers</c> (when present, as in the SQuAD view) become the query's answers. Ids may be strings or
/// numbers. Blank lines are skipped; anything else malformed is a <see cref="CorpusFormatException"/>.
/// </summary>
public static class JsonlReader
{
    /// <summary>Streams the documents of a corpus file.</summary>
    public static IEnumerable<CorpusDocument> ReadDocuments(string path)
    {
        foreach ((JsonElement record, long line) in ReadRecords(path))
        {
            string id = RequiredId(record, path, line);
            string title = OptionalString(record, "title", path, line) ?? "";
            string text = OptionalString(record, "text", path, line)
                ?? OptionalString(record, "contents", path, line)
                ?? throw new CorpusFormatException(path, line, "record has neither \"text\" nor \"contents\"");
            yield return new CorpusDocument(id, title, text);
        }
    }

    /// <summary>Streams the queries of a queries file.</summary>
    public static IEnumerable<CorpusQuery> ReadQueries(string path)
    {
        foreach ((JsonElement record, long line) in ReadRecords(path))
        {
            string id = RequiredId(record, path, line);
            string text = OptionalString(record, "text", path, line)
                ?? OptionalString(record, "contents", path, line)
                ?? throw new CorpusFormatException(path, line, "query has no \"text\"");
            yield return new CorpusQuery(id, text, Answers(record, path, line));
        }
    }

    /// <summary>
    /// Streams training pairs: <c>{"question": …, "positive_id": …}</c> or <c>{"question": …, "positive": {"title": …,
    /// "text": …}}</c> per line.
    /// </summary>
    public static IEnumerable<QuestionPassagePair> ReadPairs(string path)
    {
        foreach ((JsonElement record, long line) in ReadRecords(path))
        {
            string question = OptionalString(record, "question", path, line)
                ?? throw new CorpusFormatException(path, line, "pair has no \"question\"");
            if (record.TryGetProperty("positive_id", out JsonElement id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                yield return new QuestionPassagePair(question, id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText(), null, line);
            }
            else if (record.TryGetProperty("positive", out JsonElement positive) && positive.ValueKind == JsonValueKind.Object)
            {
                string text = OptionalString(positive, "text", path, line)
                    ?? throw new CorpusFormatException(path, line, "\"positive\" has no \"text\"");
                yield return new QuestionPassagePair(question, null,
                    new CorpusDocument($"line-{line}", OptionalString(positive, "title", path, line) ?? "", text), line);
            }
            else
            {
                throw new CorpusFormatException(path, line, "pair needs \"positive_id\" (a string) or \"positive\" ({\"title\", \"text\"})");
            }
        }
    }

    private static IEnumerable<(JsonElement Record, long Line)> ReadRecords(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such file: {path}", path);
        }
        using var reader = new StreamReader(path);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            JsonElement record;
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                record = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new CorpusFormatException(path, line, $"invalid JSON: {e.Message}", e);
            }
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw new CorpusFormatException(path, line, "each line must hold a JSON object");
            }
            yield return (record, line);
        }
    }

    private static string RequiredId(JsonElement record, string path, long line)
    {
        foreach (string name in (string[])["_id", "id"])
        {
            if (record.TryGetProperty(name, out JsonElement id))
            {
                string? value = id.ValueKind switch
                {
                    JsonValueKind.String => id.GetString(),
                    JsonValueKind.Number => id.GetRawText(),
                    _ => null,
                };
                return string.IsNullOrEmpty(value)
                    ? throw new CorpusFormatException(path, line, $"\"{name}\" must be a non-empty string or a number")
                    : value;
            }
        }
        throw new CorpusFormatException(path, line, "record has no \"_id\" or \"id\"");
    }

    private static string? OptionalString(JsonElement record, string name, string path, long line)
    {
        if (!record.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CorpusFormatException(path, line, $"\"{name}\" must be a string");
    }

    private static string[] Answers(JsonElement record, string path, long line)
    {
        if (!record.TryGetProperty("metadata", out JsonElement metadata) || metadata.ValueKind != JsonValueKind.Object
            || !metadata.TryGetProperty("answers", out JsonElement answers))
        {
            return [];
        }
        if (answers.ValueKind != JsonValueKind.Array)
        {
            throw new CorpusFormatException(path, line, "\"metadata.answers\" must be an array of strings");
        }
        var result = new List<string>();
        foreach (JsonElement answer in answers.EnumerateArray())
        {
            result.Add(answer.ValueKind == JsonValueKind.String
                ? answer.GetString()!
                : throw new CorpusFormatException(path, line, "\"metadata.answers\" must be an array of strings"));
        }
        return [.. result];
    }
}
