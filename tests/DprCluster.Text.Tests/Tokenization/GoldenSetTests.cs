using DprCluster.Text.Tokenization;

namespace DprCluster.Text.Tests.Tokenization;

/// <summary>Every golden case must give Hugging Face's ids (and type ids, and errors) exactly.</summary>
public sealed class GoldenSetTests
{
    private static readonly Lazy<IReadOnlyList<GoldenCase>> Cases = new(GoldenCase.ReadAll);

    [Fact]
    public void GoldenSetIsLargeAndCoversEveryKindOfInput()
    {
        var groups = Cases.Value.GroupBy(c => c.Group).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(Cases.Value.Count >= 2000, $"{Cases.Value.Count} cases");
        foreach (var group in new[] { "scifact-text", "squad-question", "nq-question", "adversarial", "long-word", "pair-truncation", "codepoint-sweep", "variant" })
        {
            Assert.True(groups.GetValueOrDefault(group) > 0, $"no '{group}' cases");
        }
    }

    [Fact]
    public void TokenizerJsonMatchesHuggingFaceOnAllCases()
    {
        var directory = Directory.CreateTempSubdirectory("dprcluster-golden-");
        try
        {
            var failures = new List<string>();
            foreach (var variant in Cases.Value.GroupBy(c => c.Variant))
            {
                var path = variant.Key is null
                    ? Path.Combine(TokenizerTestFiles.TokenizerDirectory, "tokenizer.json")
                    : GoldenVariants.Write(variant.Key, directory.FullName);
                failures.AddRange(Mismatches(BertTokenizer.FromTokenizerJson(path), variant));
            }

            AssertNone(failures);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void VocabFileMatchesHuggingFaceOnUncasedAndCasedCases()
    {
        var vocab = Path.Combine(TokenizerTestFiles.TokenizerDirectory, "vocab.txt");
        var uncased = Cases.Value.Where(c => c.Variant is null).ToList();
        var cased = Cases.Value.Where(c => c.Variant == "cased").ToList();
        Assert.NotEmpty(cased);
        AssertNone([
            .. Mismatches(BertTokenizer.FromVocabFile(vocab), uncased),
            .. Mismatches(BertTokenizer.FromVocabFile(vocab, lowerCase: false), cased),
        ]);
    }

    private static IEnumerable<string> Mismatches(BertTokenizer tokenizer, IEnumerable<GoldenCase> cases)
    {
        foreach (var golden in cases)
        {
            var failure = Compare(tokenizer, golden);
            if (failure is not null)
            {
                yield return $"{golden}: {failure}";
            }
        }
    }

    private static void AssertNone(List<string> failures) =>
        Assert.True(failures.Count == 0, $"{failures.Count} of {Cases.Value.Count} cases differ:\n{string.Join('\n', failures.Take(20))}");

    private static string? Compare(BertTokenizer tokenizer, GoldenCase golden)
    {
        var capacity = golden.Ids?.Length ?? 4 * (golden.First.Length + (golden.Second?.Length ?? 0)) + 3;
        var ids = new int[capacity];
        var types = new int[capacity];
        int length;
        try
        {
            length = golden.Second is null
                ? tokenizer.Encode(golden.First, golden.Options, ids, types)
                : tokenizer.EncodePair(golden.First, golden.Second, golden.Options, ids, types);
        }
        catch (ArgumentException e)
        {
            return golden.Error is null ? $"threw {e.Message}" : null;
        }

        if (golden.Error is not null)
        {
            return $"expected an error ({golden.Error}) but got {length} ids";
        }

        if (!ids.AsSpan(0, length).SequenceEqual(golden.Ids))
        {
            return $"ids\n  expected {string.Join(' ', golden.Ids!)}\n  actual   {string.Join(' ', ids.Take(length))}";
        }

        if (golden.TypeIds is not null && !types.AsSpan(0, length).SequenceEqual(golden.TypeIds))
        {
            return $"type ids\n  expected {string.Join(' ', golden.TypeIds)}\n  actual   {string.Join(' ', types.Take(length))}";
        }

        return null;
    }
}
