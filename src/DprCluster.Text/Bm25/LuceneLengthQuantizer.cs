using System.Numerics;

namespace DprCluster.Text.Bm25;

/// <summary>
/// Lucene's lossy document-length norm (<c>SmallFloat.intToByte4</c> / <c>byte4ToInt</c>): small lengths are kept
/// exactly, larger ones are rounded down to a float-like value with 4 significant bits, so each fits in one byte.
/// </summary>
internal static class LuceneLengthQuantizer
{
    // Byte values below this encode the length itself; the rest hold the 4-bit float encoding of (length - it).
    private static readonly int DirectValues = 255 - LongToInt4(int.MaxValue);

    /// <summary>The length Lucene scores a document of <paramref name="length"/> terms with.</summary>
    public static int Quantize(int length) => Decode(Encode(length));

    /// <summary>The one-byte norm of a length.</summary>
    public static int Encode(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return length < DirectValues ? length : DirectValues + LongToInt4(length - DirectValues);
    }

    /// <summary>The length a one-byte norm stands for.</summary>
    public static int Decode(int encoded) =>
        encoded < DirectValues ? encoded : DirectValues + (int)Int4ToLong(encoded - DirectValues);

    private static int LongToInt4(long value)
    {
        int bits = 64 - BitOperations.LeadingZeroCount((ulong)value);
        if (bits < 4)
        {
            return (int)value;
        }
        int shift = bits - 4;
        return ((int)(value >> shift) & 0x07) | ((shift + 1) << 3);
    }

    private static long Int4ToLong(int value)
    {
        long mantissa = value & 0x07;
        int shift = (value >> 3) - 1;
        return shift == -1 ? mantissa : (mantissa | 0x08) << shift;
    }
}
