using System.Globalization;
using DprCluster.Text.Metrics;

namespace DprCluster.Text.Corpora;

/// <summary>
/// Reads relevance judgements: BEIR's tab-separated <c>query-id corpus-id score</c> (with or without its header
/// line) or TREC's whitespace-separated <c>query-id iteration doc-id relevance</c>.
/// </summary>
public static class QrelsReader
{
    /// <summary>Reads a judgement file.</summary>
    public static Qrels Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such file: {path}", path);
        }
        var qrels = new Qrels();
        long line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            string[] fields = text.Split(text.Contains('\t') ? ['\t'] : [' '], StringSplitOptions.RemoveEmptyEntries);
            (string query, string document, string grade) = fields.Length switch
            {
                3 => (fields[0], fields[1], fields[2]),
                4 => (fields[0], fields[2], fields[3]),
                _ => throw new CorpusFormatException(path, line, $"expected 3 (BEIR) or 4 (TREC) fields, found {fields.Length}"),
            };
            if (!int.TryParse(grade, NumberStyles.Integer, CultureInfo.InvariantCulture, out int relevance))
            {
                if (line == 1)
                {
                    continue; // BEIR's header: query-id corpus-id score
                }
                throw new CorpusFormatException(path, line, $"relevance '{grade}' is not an integer");
            }
            try
            {
                qrels.Add(query, document, relevance);
            }
            catch (ArgumentException e)
            {
                throw new CorpusFormatException(path, line, e.Message, e);
            }
        }
        return qrels;
    }
}
