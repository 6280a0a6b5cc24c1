using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Cluster;

/// <summary>Questions for load runs: a text file (one per line), a queries JSONL file, or a BEIR folder's queries.jsonl.</summary>
internal static class QuestionFiles
{
    /// <summary>The questions in <paramref name="path"/>; the built-in sample questions when it is null.</summary>
    public static IReadOnlyList<string> Read(string? path)
    {
        if (path is null)
        {
            return SampleCorpus.Questions();
        }
        string file = Directory.Exists(path) ? Path.Combine(path, "queries.jsonl") : path;
        var questions = new List<string>();
        if (file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            foreach (CorpusQuery query in JsonlReader.ReadQueries(file))
            {
                questions.Add(query.Text);
            }
        }
        else
        {
            foreach (string line in File.ReadLines(file))
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    questions.Add(line.Trim());
                }
            }
        }
        if (questions.Count == 0)
        {
            throw new InvalidDataException($"{file} holds no questions.");
        }
        return questions;
    }
}
