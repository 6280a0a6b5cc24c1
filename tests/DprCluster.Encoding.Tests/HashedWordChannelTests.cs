using System.Numerics.Tensors;
using DprCluster.Encoders.Static;

namespace DprCluster.Encoders.Tests;

/// <summary>The hashed-word channel a trained word-vector tower appends (feature hashing of a text's distinct words).</summary>
public class HashedWordChannelTests
{
    private const int Buckets = 64;
    private static readonly string[] Words = ["the", "river", "paris", "london", "tower", "bridge"];

    [Fact]
    public void AWordLandsInItsBucketWithItsSignAndTheScaleSetsThePartsRatio()
    {
        using StaticEncoder encoder = Create(scale: 0.5f);
        Assert.Equal(4 + Buckets, encoder.Dimension);
        float[] vector = encoder.EncodeQuery("Paris");
        Assert.Equal(1f, TensorPrimitives.Norm(vector), 1e-5f);
        int bucket = WordHashing.BucketOf("paris", Buckets, out float sign);
        ReadOnlySpan<float> hashed = vector.AsSpan(4);
        for (int i = 0; i < Buckets; i++)
        {
            Assert.True(i == bucket ? Math.Sign(hashed[i]) == Math.Sign(sign) : hashed[i] == 0, $"bucket {i}: {hashed[i]}");
        }
        Assert.Equal(0.5f, TensorPrimitives.Norm(hashed) / TensorPrimitives.Norm(vector.AsSpan(0, 4)), 1e-5f);
    }

    [Fact]
    public void ARepeatedWordCountsOnceInTheChannelButTwiceInTheWordVectors()
    {
        using StaticEncoder encoder = Create(scale: 1f);
        float[] once = encoder.EncodeQuery("river tower");
        float[] twice = encoder.EncodeQuery("river river tower");
        Assert.Equal(once.AsSpan(4).ToArray(), twice.AsSpan(4).ToArray());
        Assert.NotEqual(once.AsSpan(0, 4).ToArray(), twice.AsSpan(0, 4).ToArray());
    }

    [Fact]
    public void SharingARareWordRaisesTheScoreOnlyThroughTheChannel()
    {
        using StaticEncoder plain = Create(scale: 0f);
        using StaticEncoder hashed = Create(scale: 1f);
        PassageText shares = new("", "tower bridge");
        PassageText differs = new("", "tower river");
        float Gain(StaticEncoder encoder) =>
            TensorPrimitives.Dot(encoder.EncodeQuery("bridge"), encoder.EncodePassage(shares))
            - TensorPrimitives.Dot(encoder.EncodeQuery("bridge"), encoder.EncodePassage(differs));
        Assert.True(Gain(hashed) > Gain(plain) + 0.1f, $"with the channel {Gain(hashed)}, without {Gain(plain)}");
    }

    [Fact]
    public void AtScaleZeroTheVectorIsTheChannelFreeOnePaddedWithZeros()
    {
        using var without = new StaticEncoder(Table());
        using StaticEncoder zero = Create(scale: 0f);
        float[] expected = [.. without.EncodeQuery("the river paris"), .. new float[Buckets]];
        float[] actual = zero.EncodeQuery("the river paris");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-6f);
        }
    }

    [Fact]
    public void TowersWithDifferentChannelsAreRefused()
    {
        WordVectorTable table = Table();
        var channel = new HashedWordChannel(Buckets, 1f, Ones());
        Assert.Throws<ArgumentException>(() => new StaticEncoder(new StaticTower(table, HashedWords: channel), new StaticTower(table)));
        Assert.Throws<ArgumentException>(() => new StaticEncoder(new StaticTower(table, HashedWords: channel),
            new StaticTower(table, HashedWords: channel with { Dimensions = Buckets * 2 })));
        Assert.Throws<ArgumentException>(() => new StaticEncoder(new StaticTower(table, HashedWords: channel with { Dimensions = 0 }),
            new StaticTower(table, HashedWords: channel with { Dimensions = 0 })));
        Assert.Throws<ArgumentException>(() => new StaticEncoder(new StaticTower(table, HashedWords: channel with { Scale = float.NaN }),
            new StaticTower(table, HashedWords: channel)));
    }

    [Fact]
    public void BucketsAreInRangeAndSpreadOut()
    {
        var counts = new int[16];
        int negative = 0;
        for (int i = 0; i < 1600; i++)
        {
            counts[WordHashing.BucketOf($"word{i}", 16, out float sign)]++;
            Assert.True(sign is 1f or -1f);
            negative += sign < 0 ? 1 : 0;
        }
        // 100 expected a bucket; a uniform hash stays well inside these bounds (about 5 standard deviations).
        Assert.All(counts, c => Assert.InRange(c, 50, 150));
        Assert.InRange(negative, 700, 900);
    }

    [Theory]
    [InlineData("paris", 973, 1f)]
    [InlineData("the", 618, -1f)]
    [InlineData("über", 420, -1f)]
    public void BucketsNeverChangeBetweenReleases(string word, int bucket, float sign)
    {
        // An index keeps passage vectors encoded when they were written: queries hashed differently would match noise.
        // The values come from an independent Python rendering of the same FNV-1a + SplitMix64 definition.
        Assert.Equal(bucket, WordHashing.BucketOf(word, 1024, out float actual));
        Assert.Equal(sign, actual);
    }

    private static StaticEncoder Create(float scale)
    {
        WordVectorTable table = Table();
        var channel = new HashedWordChannel(Buckets, scale, Ones());
        return new StaticEncoder(new StaticTower(table, HashedWords: channel), new StaticTower(table, HashedWords: channel));
    }

    private static float[] Ones() => [.. Enumerable.Repeat(1f, FrequencyBuckets.Count)];

    private static WordVectorTable Table()
    {
        var random = new Random(7);
        var vectors = new Half[Words.Length * 4];
        for (int i = 0; i < vectors.Length; i++)
        {
            vectors[i] = (Half)(random.NextSingle() * 2 - 1);
        }
        return new WordVectorTable(Words, vectors, 4);
    }
}
