using System.Text.Json;
using DprCluster.Text.Analysis;
using DprCluster.Text.Corpora;
using DprCluster.Text.Tests.Corpora;
using DprCluster.Testing;

namespace DprCluster.Text.Tests.Analysis;

/// <summary>
/// Compares the analyzer with real Lucene (8.7, EnglishAnalyzer and StandardTokenizer) on Golden/, which
/// Golden/make-golden.sh writes: SciFact passages and queries, NFCorpus and SQuAD questions, adversarial strings.
/// </summary>
public class LuceneGoldenTests
{
    private sealed record GoldenCase(string Label, string Text, string[]? Tokens, string[] Terms);

    private static readonly Lazy<List<GoldenCase>> Cases = new(Load);

    private static List<GoldenCase> Load()
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (CorpusDocument document in JsonlReader.ReadDocuments(RepositoryPaths.SharedDataPath("scifact", "corpus.jsonl")))
        {
            texts["scifact/corpus/" + document.Id] = document.Title + " " + document.Text;
        }
        foreach ((string prefix, string[] path) in new[]
        {
            ("scifact/queries/", new[] { "scifact", "queries.jsonl" }),
            ("nfcorpus/queries/", new[] { "nfcorpus-orig-test", "beir_format", "queries.jsonl" }),
            ("squad/queries/", new[] { "squad-v1.1-dev", "beir_format", "queries.jsonl" }),
        })
        {
            foreach (CorpusQuery query in JsonlReader.ReadQueries(RepositoryPaths.SharedDataPath(path)))
            {
                texts[prefix + query.Id] = query.Text;
            }
        }

        var cases = new List<GoldenCase>();
        string golden = RepositoryPaths.InRepository("tests", "DprCluster.Text.Tests", "Analysis", "Golden", "lucene-english-analyzer.jsonl");
        foreach (string line in File.ReadLines(golden))
        {
            using JsonDocument record = JsonDocument.Parse(line);
            JsonElement root = record.RootElement;
            string label = root.GetProperty("label").GetString()!;
            string text = root.TryGetProperty("text", out JsonElement inline) ? inline.GetString()! : texts[label];
            string[]? tokens = root.TryGetProperty("tokens", out JsonElement t) ? [.. t.EnumerateArray().Select(e => e.GetString()!)] : null;
            string[] terms = [.. root.GetProperty("terms").EnumerateArray().Select(e => e.GetString()!)];
            cases.Add(new GoldenCase(label, text, tokens, terms));
        }
        return cases;
    }

    private static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var tokenizer = new StandardTokenizer(text);
        while (tokenizer.MoveNext(out int start, out int length))
        {
            tokens.Add(text.Substring(start, length));
        }
        return tokens;
    }

    [Fact]
    public void GoldenSetCoversDataAndAdversarialStrings()
    {
        Assert.True(Cases.Value.Count > 2500);
        Assert.True(Cases.Value.Count(c => c.Tokens is not null) > 90);
    }

    [Fact]
    public void TermsEqualLucenesEnglishAnalyzerOnEveryGoldenString()
    {
        var mismatches = new List<string>();
        foreach (GoldenCase golden in Cases.Value)
        {
            List<string> terms = EnglishAnalyzer.Default.AnalyzeToList(golden.Text);
            if (!terms.SequenceEqual(golden.Terms))
            {
                mismatches.Add($"{golden.Label}: expected [{string.Join(' ', golden.Terms)}] got [{string.Join(' ', terms)}]");
            }
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} differ:\n" + string.Join('\n', mismatches.Take(20)));
    }

    [Fact]
    public void TokensEqualLucenesStandardTokenizerOnTheAdversarialStrings()
    {
        var mismatches = new List<string>();
        foreach (GoldenCase golden in Cases.Value.Where(c => c.Tokens is not null))
        {
            List<string> tokens = Tokens(golden.Text);
            if (!tokens.SequenceEqual(golden.Tokens!))
            {
                mismatches.Add($"{golden.Label}: expected [{string.Join(" | ", golden.Tokens!)}] got [{string.Join(" | ", tokens)}]");
            }
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} differ:\n" + string.Join('\n', mismatches.Take(20)));
    }
}
