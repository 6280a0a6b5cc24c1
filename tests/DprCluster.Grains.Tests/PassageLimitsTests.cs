using System.Text;
using DprCluster.Abstractions;
using DprCluster.Core.Passages;
using DprCluster.Grains.Shard.Storage;

namespace DprCluster.Grains.Tests;

/// <summary>The write-time limits: what they admit survives the log unchanged, and what they refuse is named.</summary>
public class PassageLimitsTests
{
    // Characters a random string is drawn from: ASCII, accents, CJK, an emoji (a surrogate pair), and the id-forbidden ones.
    private static readonly string[] Pieces = ["a", "Z", "7", " ", "#", "?", "%", "+", "&", "=", ".", "-", "_", "é", "ß", "北京", "😀", "\t", "\n", "/", "\\"];

    private static string RandomString(Random random, int maxPieces, bool forId)
    {
        var text = new StringBuilder();
        int pieces = random.Next(1, maxPieces + 1);
        for (int i = 0; i < pieces; i++)
        {
            string piece = Pieces[random.Next(Pieces.Length)];
            if (forId && (piece is "/" or "\\" || char.IsControl(piece[0])))
            {
                continue;
            }
            text.Append(piece);
        }
        return text.Length == 0 || text.ToString() is "." or ".." ? "x" + text : text.ToString();
    }

    [Fact]
    public void Random_passages_within_the_limits_replay_from_the_log_exactly()
    {
        var random = new Random(20261202);
        var written = new List<WalEntry>();
        for (int lsn = 1; lsn <= 300; lsn++)
        {
            var metadata = new Dictionary<string, string>();
            for (int m = random.Next(0, PassageLimits.MaxMetadataPairs + 1); m > 0; m--)
            {
                metadata["k" + RandomString(random, 4, forId: true)] = RandomString(random, 30, forId: false);
            }
            var passage = new Passage(RandomString(random, 40, forId: true), RandomString(random, 20, forId: false),
                RandomString(random, random.Next(1, 3000), forId: false), metadata.Count == 0 ? null : metadata);
            float[] vector = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2000 - 1000)).ToArray();
            Assert.Null(PassageLimits.CheckPassage(passage.Id, passage.Title, passage.Text, passage.Metadata));
            Assert.Null(PassageLimits.CheckVector(vector));
            written.Add(new WalEntry(lsn, WalEntryKind.Upsert, new EncodedPassage(passage, vector), null));
        }
        using var dir = new TestDirectory();
        using (WriteAheadLog log = WriteAheadLog.Open(dir.Path, 0, WalSyncMode.Always, _ => { }))
        {
            log.Append(written);
        }
        var replayed = new List<WalEntry>();
        using (WriteAheadLog.Open(dir.Path, 0, WalSyncMode.Always, replayed.Add))
        {
        }
        Assert.Equal(written.Count, replayed.Count);
        for (int i = 0; i < written.Count; i++)
        {
            Passage expected = written[i].Upsert!.Passage;
            Passage actual = replayed[i].Upsert!.Passage;
            Assert.Equal((expected.Id, expected.Title, expected.Text), (actual.Id, actual.Title, actual.Text));
            Assert.Equal(expected.Metadata?.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Metadata?.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(written[i].Upsert!.Vector, replayed[i].Upsert!.Vector);
        }
    }

    [Theory]
    [InlineData("a/b", "'/'")]
    [InlineData("a\\b", "'\\'")]
    [InlineData(".", "reserved")]
    [InlineData("..", "reserved")]
    [InlineData("a\0b", "U+0000")]
    [InlineData("tab\there", "U+0009")]
    [InlineData("", "missing or empty")]
    public void Ids_that_could_not_be_addressed_or_replayed_are_refused_with_the_reason(string id, string reason)
    {
        Assert.Contains(reason, PassageLimits.CheckId(id));
    }

    [Fact]
    public void An_id_with_a_lone_surrogate_is_refused_because_it_would_not_replay()
    {
        Assert.Contains("lone surrogate", PassageLimits.CheckId(new string([(char)0xD800, 'x'])));
        Assert.Null(PassageLimits.CheckId("emoji 😀 pair"));
    }

    [Fact]
    public void Each_size_limit_is_enforced_at_its_boundary()
    {
        Assert.Null(PassageLimits.CheckId(new string('é', PassageLimits.MaxIdBytes / 2)));
        Assert.Contains("limit is 256", PassageLimits.CheckId(new string('é', PassageLimits.MaxIdBytes / 2) + "x"));
        Assert.Null(PassageLimits.CheckPassage("p", "", new string('a', PassageLimits.MaxTextBytes), null));
        Assert.Contains("text has", PassageLimits.CheckPassage("p", "", new string('a', PassageLimits.MaxTextBytes + 1), null));
        Assert.Contains("title has", PassageLimits.CheckPassage("p", new string('a', PassageLimits.MaxTitleBytes + 1), "t", null));
        var many = Enumerable.Range(0, PassageLimits.MaxMetadataPairs + 1).ToDictionary(i => $"k{i}", i => "v");
        Assert.Contains("metadata pairs", PassageLimits.CheckPassage("p", "", "t", many));
        var heavy = Enumerable.Range(0, 5).ToDictionary(i => $"k{i}", i => new string('v', PassageLimits.MaxMetadataValueBytes));
        Assert.Contains("bytes of metadata", PassageLimits.CheckPassage("p", "", "t", heavy));
        Assert.Contains("lone surrogate", PassageLimits.CheckPassage("p", "", "bad " + (char)0xDC00 + " text", null));
        Assert.Contains("NaN", PassageLimits.CheckVector([1f, float.NaN]));
        Assert.Contains("norm", PassageLimits.CheckVector([PassageLimits.MaxVectorNorm, 1f]));
        Assert.Null(PassageLimits.CheckVector([PassageLimits.MaxVectorNorm * 0.5f, 1f]));
    }
}
