namespace DprCluster.Text.Tokenization;

/// <summary>
/// A batch of encodings padded to its longest row, laid out row-major as transformer inputs expect
/// (<c>[Rows, SequenceLength]</c>, 64-bit like ONNX BERT models take them).
/// </summary>
public sealed class TokenizedBatch
{
    internal TokenizedBatch(int rows, int sequenceLength, long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int[] lengths)
    {
        Rows = rows;
        SequenceLength = sequenceLength;
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        Lengths = lengths;
    }

    /// <summary>Number of encodings.</summary>
    public int Rows { get; }

    /// <summary>Length of every row: the longest encoding's length.</summary>
    public int SequenceLength { get; }

    /// <summary>Token ids, <see cref="Rows"/> × <see cref="SequenceLength"/>, padded with the pad id.</summary>
    public long[] InputIds { get; }

    /// <summary>1 for real tokens, 0 for padding.</summary>
    public long[] AttentionMask { get; }

    /// <summary>Token type (segment) ids; padding is 0.</summary>
    public long[] TokenTypeIds { get; }

    /// <summary>The unpadded length of each row.</summary>
    public int[] Lengths { get; }

    /// <summary>The padded ids of one row.</summary>
    public ReadOnlySpan<long> RowIds(int row) => InputIds.AsSpan(RowOffset(row), SequenceLength);

    /// <summary>Copies all padded ids as 32-bit integers (for models that take int32 inputs).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="InputIds"/>.</exception>
    public void CopyInputIdsTo(Span<int> destination)
    {
        if (destination.Length < InputIds.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} ids; the batch has {InputIds.Length}.", nameof(destination));
        }

        for (var i = 0; i < InputIds.Length; i++)
        {
            destination[i] = (int)InputIds[i];
        }
    }

    private int RowOffset(int row) =>
        (uint)row < (uint)Rows ? row * SequenceLength
            : throw new ArgumentOutOfRangeException(nameof(row), row, $"The batch has {Rows} rows.");
}
