using System.Numerics.Tensors;
using DprCluster.Encoders.Static;

namespace DprCluster.Encoders.Tests;

public class StaticEncoderTests
{
    // Loaded once for the whole test run: the first load on a machine converts the npm archive into the cache.
    private static readonly Lazy<StaticEncoder> Shared = new(() => StaticEncoder.LoadDefault());

    private static StaticEncoder Encoder => Shared.Value;

    // The DPR seed example: eight landmark passages, one sentence each.
    public static readonly PassageText[] SeedPassages =
    [
        new("Eiffel Tower", "The Eiffel Tower is a wrought-iron lattice tower in Paris, completed in 1889."),
        new("Great Wall of China", "The Great Wall of China is a series of fortifications built across northern China."),
        new("Statue of Liberty", "The Statue of Liberty is a copper statue on Liberty Island in New York Harbor."),
        new("Colosseum", "The Colosseum is an ancient oval amphitheatre in the centre of Rome, Italy."),
        new("Taj Mahal", "The Taj Mahal is an ivory-white marble mausoleum on the bank of the Yamuna river in Agra."),
        new("Mount Everest", "Mount Everest is Earth's highest mountain above sea level."),
        new("Amazon River", "The Amazon River in South America is the largest river by discharge volume of water."),
        new("Sahara", "The Sahara is a desert on the African continent and the largest hot desert in the world."),
    ];

    [Fact]
    public void TallestMountainQuestionRanksEverestFirst()
    {
        float[] query = Encoder.EncodeQuery("What is the tallest mountain?");
        float[][] passages = Encoder.EncodePassages(SeedPassages);
        int best = 0;
        for (int i = 1; i < passages.Length; i++)
        {
            if (TensorPrimitives.Dot(query, passages[i]) > TensorPrimitives.Dot(query, passages[best]))
            {
                best = i;
            }
        }
        Assert.Equal("Mount Everest", SeedPassages[best].Title);
    }

    [Fact]
    public void VectorsAreUnitLengthWithTheTableDimension()
    {
        Assert.Equal(100, Encoder.Dimension);
        float[] vector = Encoder.EncodeQuery("Where is the Statue of Liberty?");
        Assert.Equal(1f, TensorPrimitives.Norm(vector), 1e-4f);
    }

    [Fact]
    public void TextWithoutKnownWordsEncodesToZero()
    {
        Assert.All(Encoder.EncodeQuery(""), v => Assert.Equal(0f, v));
        Assert.All(Encoder.EncodeQuery("?!  ..."), v => Assert.Equal(0f, v));
        Assert.All(Encoder.EncodeQuery("qqqzzzxxvvv"), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void CaseAndPossessivesDoNotChangeTheVector()
    {
        float[] plain = Encoder.EncodeQuery("earth highest mountain");
        float[] styled = Encoder.EncodeQuery("EARTH'S Highest Mountain!");
        Assert.Equal(plain, styled);
    }

    [Fact]
    public void LoneSurrogatesAndOverlongWordsAreIgnoredNotFatal()
    {
        float[] expected = Encoder.EncodeQuery("river delta");
        string malformed = "river \uD800 delta " + new string('a', 10_000);
        Assert.Equal(expected, Encoder.EncodeQuery(malformed));
    }

    [Fact]
    public void PassageTitleContributesToTheVector()
    {
        float[] withTitle = Encoder.EncodePassage(new PassageText("Sahara", "A desert."));
        float[] withoutTitle = Encoder.EncodePassage(new PassageText("", "A desert."));
        Assert.NotEqual(withTitle, withoutTitle);
    }

    [Fact]
    public void DestinationOfTheWrongSizeIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Encoder.EncodeQueries(["a", "b"], new float[Encoder.Dimension]));
    }

    [Fact]
    public void RequireDimensionRejectsAnIndexOfAnotherSize()
    {
        var error = Assert.Throws<EncoderDimensionMismatchException>(() => Encoder.RequireDimension(768, "wiki"));
        Assert.Contains("768", error.Message);
        Assert.Contains("100", error.Message);
        Encoder.RequireDimension(new DprCluster.Index.Flat.FlatIndex(100), "static");
        Assert.Throws<EncoderDimensionMismatchException>(() => Encoder.RequireDimension(new DprCluster.Index.Flat.FlatIndex(32), "tiny"));
    }
}
