using DprCluster.Text.Analysis;

namespace DprCluster.Text.Tests.Analysis;

public class EnglishAnalyzerTests
{
    private static readonly EnglishAnalyzer Analyzer = EnglishAnalyzer.Default;

    [Fact]
    public void RemovesStopWordsAfterLowerCasing()
    {
        Assert.Equal(["quick", "brown", "fox"], Analyzer.AnalyzeToList("The Quick Brown Fox"));
        Assert.Empty(Analyzer.AnalyzeToList("The AND of IS it"));
    }

    [Fact]
    public void ListsExactlyLucenesThirtyThreeStopWords()
    {
        Assert.Equal(33, EnglishStopWords.Words.Count);
        Assert.True(EnglishStopWords.Contains("such"));
        Assert.False(EnglishStopWords.Contains("i"));
        Assert.False(EnglishStopWords.Contains("we"));
    }

    [Theory]
    [InlineData("John's car", new[] { "john", "car" })]
    [InlineData("JOHN'S", new[] { "john" })]
    [InlineData("John\u2019s", new[] { "john" })]
    [InlineData("John\uFF07s", new[] { "john" })]
    [InlineData("it's", new string[0])]
    [InlineData("students' papers", new[] { "student", "paper" })]
    public void RemovesPossessives(string text, string[] expected) => Assert.Equal(expected, Analyzer.AnalyzeToList(text));

    [Fact]
    public void StemsAfterStopWordRemoval()
    {
        Assert.Equal(["connect", "network", "run"], Analyzer.AnalyzeToList("Connections of the networks running"));
    }

    [Fact]
    public void OptionsSwitchFiltersOff()
    {
        var plain = new EnglishAnalyzer(new EnglishAnalyzerOptions { RemovePossessives = false, RemoveStopWords = false, Stem = false });
        Assert.Equal(["the", "cat's", "connections"], plain.AnalyzeToList("The cat's connections"));
    }

    [Fact]
    public void LowerCasesBeyondAscii()
    {
        Assert.Equal(["ßeta", "ωmega", "éclair"], new EnglishAnalyzer(new EnglishAnalyzerOptions { Stem = false })
            .AnalyzeToList("ßETA ΩMEGA ÉCLAIR"));
    }

    [Fact]
    public void SignatureRoundTripsEveryOptionCombination()
    {
        foreach (bool possessives in new[] { true, false })
        {
            foreach (bool stop in new[] { true, false })
            {
                foreach (bool stem in new[] { true, false })
                {
                    var options = new EnglishAnalyzerOptions { RemovePossessives = possessives, RemoveStopWords = stop, Stem = stem };
                    Assert.Equal(options, EnglishAnalyzerOptions.FromSignature(options.Signature));
                }
            }
        }
        Assert.Throws<FormatException>(() => EnglishAnalyzerOptions.FromSignature("klingon-v9"));
    }

    [Fact]
    public void EnumeratingTwiceOnOneThreadKeepsTermsApart()
    {
        var outer = new List<string>();
        foreach (ReadOnlySpan<char> term in Analyzer.Analyze("alpha beta"))
        {
            outer.Add(term.ToString());
            Assert.Equal(["gamma"], Analyzer.AnalyzeToList("gamma"));
        }
        Assert.Equal(["alpha", "beta"], outer);
    }
}
