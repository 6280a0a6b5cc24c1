using System.Reflection;
using System.Text.Json;
using DprCluster.Silo.Api;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Cluster;

/// <summary>
/// The demo's built-in data, embedded in the assembly: the DPR example's eight landmark passages plus a few hundred
/// short factual passages written for the project (Resources/sample-corpus.jsonl), and sample questions.
/// </summary>
internal static class SampleCorpus
{
    private const string PassagesResource = "sample-corpus.jsonl";
    private const string QuestionsResource = "sample-questions.txt";

    /// <summary>The built-in passages.</summary>
    public static IReadOnlyList<CorpusDocument> Passages()
    {
        var passages = new List<CorpusDocument>();
        using var reader = new StreamReader(Open(PassagesResource));
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            PassageBody passage = JsonSerializer.Deserialize(line, ApiJsonContext.Default.PassageBody)
                ?? throw new InvalidDataException($"{PassagesResource} holds a null line.");
            passages.Add(new CorpusDocument(passage.Id!, passage.Title ?? string.Empty, passage.Text!));
        }
        return passages;
    }

    /// <summary>The built-in questions.</summary>
    public static IReadOnlyList<string> Questions()
    {
        var questions = new List<string>();
        foreach (SampleQuestion question in JudgedQuestions())
        {
            questions.Add(question.Text);
        }
        return questions;
    }

    /// <summary>The built-in questions, each with the id of the passage meant to answer it.</summary>
    public static IReadOnlyList<SampleQuestion> JudgedQuestions()
    {
        var questions = new List<SampleQuestion>();
        using var reader = new StreamReader(Open(QuestionsResource));
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }
            string[] fields = line.Split('\t');
            questions.Add(new SampleQuestion(fields[0].Trim(), fields.Length > 1 ? fields[1].Trim() : null));
        }
        return questions;
    }

    private static Stream Open(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"The build embedded no resource '{name}'.");
}
