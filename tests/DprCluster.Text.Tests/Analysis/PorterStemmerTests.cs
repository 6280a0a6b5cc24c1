using DprCluster.Text.Analysis;

namespace DprCluster.Text.Tests.Analysis;

public class PorterStemmerTests
{
    // Examples from Porter (1980), "An algorithm for suffix stripping", stemmed by the complete algorithm.
    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("ties", "ti")]
    [InlineData("caress", "caress")]
    [InlineData("cats", "cat")]
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("bled", "bled")]
    [InlineData("motoring", "motor")]
    [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")]
    [InlineData("troubled", "troubl")]
    [InlineData("sized", "size")]
    [InlineData("hopping", "hop")]
    [InlineData("tanned", "tan")]
    [InlineData("falling", "fall")]
    [InlineData("hissing", "hiss")]
    [InlineData("fizzed", "fizz")]
    [InlineData("failing", "fail")]
    [InlineData("filing", "file")]
    [InlineData("happy", "happi")]
    [InlineData("sky", "sky")]
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("rational", "ration")]
    [InlineData("digitizer", "digit")]
    [InlineData("operator", "oper")]
    [InlineData("feudalism", "feudal")]
    [InlineData("hopefulness", "hope")]
    [InlineData("goodness", "good")]
    [InlineData("electrical", "electr")]
    [InlineData("hopeful", "hope")]
    [InlineData("allowance", "allow")]
    [InlineData("inference", "infer")]
    [InlineData("adjustable", "adjust")]
    [InlineData("replacement", "replac")]
    [InlineData("adoption", "adopt")]
    [InlineData("communism", "commun")]
    [InlineData("activate", "activ")]
    [InlineData("effective", "effect")]
    [InlineData("probate", "probat")]
    [InlineData("rate", "rate")]
    [InlineData("cease", "ceas")]
    [InlineData("controll", "control")]
    [InlineData("roll", "roll")]
    [InlineData("generalizations", "gener")]
    [InlineData("oscillators", "oscil")]
    public void StemsThePaperExamples(string word, string stem) => Assert.Equal(stem, PorterStemmer.Stem(word));

    // Martin Porter's reference implementation (used by Lucene) departs from the paper: -bli → -ble, -logi → -log.
    [Theory]
    [InlineData("possibly", "possibl")]
    [InlineData("etymology", "etymolog")]
    public void FollowsTheReferenceImplementationDepartures(string word, string stem) =>
        Assert.Equal(stem, PorterStemmer.Stem(word));

    [Theory]
    [InlineData("a")]
    [InlineData("is")]
    [InlineData("as")]
    [InlineData("")]
    public void LeavesWordsOfAtMostTwoLettersAlone(string word) => Assert.Equal(word, PorterStemmer.Stem(word));

    [Theory]
    [InlineData("aed")]
    [InlineData("eed")]
    [InlineData("ion")]
    [InlineData("yyy")]
    [InlineData("sss")]
    [InlineData("123")]
    [InlineData("ies")]
    [InlineData("ing")]
    public void DegenerateWordsNeverFail(string word)
    {
        string stem = PorterStemmer.Stem(word);
        Assert.True(stem.Length <= word.Length);
    }

    [Fact]
    public void StemmingAStemIsStable()
    {
        foreach (string word in new[] { "running", "generalization", "connections", "hopefulness" })
        {
            string stem = PorterStemmer.Stem(word);
            Assert.Equal(PorterStemmer.Stem(word), stem);
        }
        Assert.Equal(PorterStemmer.Stem("connect"), PorterStemmer.Stem("connections"));
        Assert.Equal(PorterStemmer.Stem("connect"), PorterStemmer.Stem("connecting"));
    }
}
