using DprCluster.Text.Analysis;

namespace DprCluster.Text.Tests.Analysis;

public class StandardTokenizerTests
{
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

    [Theory]
    [InlineData("The quick brown fox.", new[] { "The", "quick", "brown", "fox" })]
    [InlineData("  leading and trailing  ", new[] { "leading", "and", "trailing" })]
    [InlineData("", new string[0])]
    [InlineData("!!! --- ???", new string[0])]
    public void SplitsOnWhitespaceAndDropsPunctuation(string text, string[] expected) =>
        Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("don't", new[] { "don't" })]
    [InlineData("O'Reilly's book", new[] { "O'Reilly's", "book" })]
    [InlineData("the dogs' bones", new[] { "the", "dogs", "bones" })]
    [InlineData("John\u2019s", new[] { "John\u2019s" })]
    public void KeepsApostrophesInsideWords(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("U.S.A. today", new[] { "U.S.A", "today" })]
    [InlineData("e.g. this", new[] { "e.g", "this" })]
    [InlineData("a:b", new[] { "a:b" })]
    [InlineData("end. Next", new[] { "end", "Next" })]
    [InlineData("a..b", new[] { "a", "b" })]
    public void JoinsLettersAcrossMidLetterPunctuation(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("pi is 3.14159", new[] { "pi", "is", "3.14159" })]
    [InlineData("1,000,000 cells", new[] { "1,000,000", "cells" })]
    [InlineData("version 1.2.3", new[] { "version", "1.2.3" })]
    [InlineData(".5 mg", new[] { "5", "mg" })]
    [InlineData("1-800-555-1212", new[] { "1", "800", "555", "1212" })]
    [InlineData("12,5;3", new[] { "12,5;3" })]
    public void JoinsDigitsAcrossNumericSeparators(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("H2O and CO2", new[] { "H2O", "and", "CO2" })]
    [InlineData("IL-6 and TNF-alpha", new[] { "IL", "6", "and", "TNF", "alpha" })]
    [InlineData("covid-19", new[] { "covid", "19" })]
    [InlineData("abc3.14def", new[] { "abc3.14def" })]
    [InlineData("a.1", new[] { "a", "1" })]
    public void MixesLettersAndDigitsButSplitsAtHyphens(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("snake_case_name", new[] { "snake_case_name" })]
    [InlineData("_private", new[] { "_private" })]
    [InlineData("___", new string[0])]
    public void ConnectorPunctuationJoins(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("AT&T", new[] { "AT", "T" })]
    [InlineData("C++ code", new[] { "C", "code" })]
    [InlineData("mail@example.com", new[] { "mail", "example.com" })]
    [InlineData("p<0.05", new[] { "p", "0.05" })]
    [InlineData("(see Fig. 2)", new[] { "see", "Fig", "2" })]
    public void SymbolsBreakWords(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Theory]
    [InlineData("β-cell", new[] { "β", "cell" })]
    [InlineData("α1-antitrypsin", new[] { "α1", "antitrypsin" })]
    [InlineData("café naïve", new[] { "café", "naïve" })]
    [InlineData("Москва и Киев", new[] { "Москва", "и", "Киев" })]
    public void HandlesNonEnglishLetters(string text, string[] expected) => Assert.Equal(expected, Tokens(text));

    [Fact]
    public void CombiningMarksAndFormatCharactersStayInsideTheWord()
    {
        Assert.Equal(["cafe\u0301"], Tokens("cafe\u0301"));
        Assert.Equal(["co\u00ADoperate"], Tokens("co\u00ADoperate"));
        Assert.Equal(["zero\u200Dwidth"], Tokens("zero\u200Dwidth"));
    }

    [Fact]
    public void HanAndHiraganaAreOneCharacterPerToken()
    {
        Assert.Equal(["中", "文", "字"], Tokens("中文字"));
        Assert.Equal(["ひ", "ら"], Tokens("ひら"));
    }

    [Fact]
    public void KatakanaSouthEastAsianAndHangulRunsStayWhole()
    {
        Assert.Equal(["カタカナ"], Tokens("カタカナ"));
        Assert.Equal(["ภาษาไทย"], Tokens("ภาษาไทย"));
        Assert.Equal(["한국어", "텍스트"], Tokens("한국어 텍스트"));
    }

    [Fact]
    public void EmojiSequencesAreTokens()
    {
        Assert.Equal(["I", "❤", "NY"], Tokens("I ❤ NY"));
        Assert.Equal(["👍🏽"], Tokens("👍🏽"));
        Assert.Equal(["👨\u200D👩\u200D👧"], Tokens("👨\u200D👩\u200D👧"));
        Assert.Equal(["🇫🇷"], Tokens("🇫🇷"));
    }

    [Fact]
    public void LongTokensAreCutAtTheMaximumLength()
    {
        string word = new('x', 600);
        List<string> tokens = Tokens(word);
        Assert.Equal([255, 255, 90], tokens.Select(t => t.Length));
        Assert.Equal(word, string.Concat(tokens));
    }

    [Fact]
    public void SurrogatePairsAreNotSplitWhenCutting()
    {
        string word = new string('a', 254) + "\U0001D400" + "bc";
        List<string> tokens = Tokens(word);
        Assert.Equal(word, string.Concat(tokens));
        Assert.All(tokens, t => Assert.False(char.IsHighSurrogate(t[^1])));
    }

    [Fact]
    public void LoneSurrogatesAndControlCharactersNeverCrash()
    {
        Assert.Equal(["a", "b"], Tokens("a\uD800b"));
        Assert.Equal(["a", "b"], Tokens("a\u0000\u0007b"));
        Assert.Equal(["x"], Tokens("\u0301\u200Dx"));
    }
}
