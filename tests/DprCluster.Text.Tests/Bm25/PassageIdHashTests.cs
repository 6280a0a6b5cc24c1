using System.Text;
using DprCluster.Text.Bm25;
using DprCluster.Core.Hashing;

namespace DprCluster.Text.Tests.Bm25;

public class PassageIdHashTests
{
    // Published FNV-1a 64-bit test vectors.
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void MatchesTheFnv1aTestVectors(string text, ulong expected) => Assert.Equal(expected, PassageIdHash.Hash64(text));

    [Theory]
    [InlineData("Super_Bowl_50#0")]
    [InlineData("café")]
    [InlineData("東京#3")]
    [InlineData("emoji 👍🏽")]
    public void HashesTheUtf8Bytes(string id)
    {
        ulong expected = 0xcbf29ce484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(id))
        {
            expected = (expected ^ b) * 0x100000001b3UL;
        }
        Assert.Equal(expected, PassageIdHash.Hash64(id));
    }

    [Fact]
    public void IllFormedUtf16HashesLikeTheReplacementCharacter() =>
        Assert.Equal(PassageIdHash.Hash64("a\uFFFDb"), PassageIdHash.Hash64("a\uD800b"));

    [Fact]
    public void SpreadsIdsEvenlyOverShards()
    {
        var counts = new int[4];
        for (int i = 0; i < 20000; i++)
        {
            counts[PassageIdHash.ShardOf($"passage-{i}", 4)]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 4500, 5500));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassageIdHash.ShardOf("x", 0));
    }
}
