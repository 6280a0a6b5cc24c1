using DprCluster.Text.Bm25;

namespace DprCluster.Text.Tests.Bm25;

public class LuceneLengthQuantizerTests
{
    [Fact]
    public void SmallLengthsAreExact()
    {
        for (int length = 0; length < 24; length++)
        {
            Assert.Equal(length, LuceneLengthQuantizer.Quantize(length));
        }
    }

    [Fact]
    public void EncodingFitsOneByteAndRoundsDownMonotonically()
    {
        int previous = 0;
        foreach (int length in Enumerable.Range(0, 5000).Concat([int.MaxValue / 2, int.MaxValue]))
        {
            int encoded = LuceneLengthQuantizer.Encode(length);
            int quantized = LuceneLengthQuantizer.Quantize(length);
            Assert.InRange(encoded, 0, 255);
            Assert.True(quantized <= length, $"{length} → {quantized}");
            Assert.True(quantized >= previous || length > 5000);
            Assert.True(length - quantized <= Math.Max(0, (length - 24) / 8), $"{length} → {quantized}");
            Assert.Equal(quantized, LuceneLengthQuantizer.Quantize(quantized));
            previous = quantized;
        }
        Assert.Equal(255, LuceneLengthQuantizer.Encode(int.MaxValue));
    }
}
