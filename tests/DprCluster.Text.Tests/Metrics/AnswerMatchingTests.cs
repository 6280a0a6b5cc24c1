using DprCluster.Text.Metrics;

namespace DprCluster.Text.Tests.Metrics;

public class AnswerMatchingTests
{
    [Fact]
    public void TokenizesLikeDprsSimpleTokenizer()
    {
        Assert.Equal(["the", "u", ".", "s", ".", "army", "'", "s", "24", "–", "10", "win"],
            DprAnswerMatching.Tokenize("The U.S. Army's 24–10 win"));
        Assert.Equal(["cafe\u0301", "nai\u0308ve"], DprAnswerMatching.Tokenize("Café\tnaïve\u200B")); // NFD
        Assert.Empty(DprAnswerMatching.Tokenize(" \n "));
    }

    [Theory]
    [InlineData("The Denver Broncos defeated the Carolina Panthers 24–10.", "Denver Broncos", true)]
    [InlineData("The Denver Broncos defeated the Carolina Panthers 24–10.", "denver  BRONCOS", true)]
    [InlineData("The Denver Broncos defeated the Carolina Panthers 24–10.", "24–10", true)]
    [InlineData("The Denver Broncos defeated the Carolina Panthers 24–10.", "Bronco", false)]
    [InlineData("The Denver Broncos defeated the Carolina Panthers 24–10.", "Broncos defeated Carolina", false)]
    [InlineData("Levi's Stadium", "Levi's", true)]
    [InlineData("anything", "", false)]
    [InlineData("anything", "...", false)]
    public void MatchesWholeTokenSequences(string passage, string answer, bool expected) =>
        Assert.Equal(expected, DprAnswerMatching.HasAnswer(passage, [answer]));

    [Theory]
    [InlineData("un café noir", "cafe\u0301")]
    [InlineData("une cafe\u0301 noir", "café")]
    [InlineData("\u1E69", "s\u0307\u0323")]
    [InlineData("a\u0307\u0323", "a\u0323\u0307")]
    [InlineData("\uD55C\uAE00", "\u1112\u1161\u11AB\u1100\u1173\u11AF")]
    public void CanonicallyEquivalentSpellingsMatch(string passage, string answer) =>
        Assert.True(DprAnswerMatching.HasAnswer(passage, [answer]));

    [Fact]
    public void AnyOfSeveralAnswersMatches() =>
        Assert.True(DprAnswerMatching.HasAnswer("Paris is the capital", ["London", "Paris"]));

    [Fact]
    public void TopKAccuracyCountsQuestionsAnsweredWithinK()
    {
        Dictionary<int, double> accuracy = AnswerAccuracy.TopK([1, 3, 0, 20, 101], [1, 5, 20, 100]);
        Assert.Equal(0.2, accuracy[1], 12);
        Assert.Equal(0.4, accuracy[5], 12);
        Assert.Equal(0.6, accuracy[20], 12);
        Assert.Equal(0.6, accuracy[100], 12);
    }
}
