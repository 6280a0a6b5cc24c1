using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>A tensor shape of up to <see cref="MaxRank"/> dimensions, stored inline so that passing it allocates nothing.</summary>
public struct TensorShape
{
    /// <summary>Largest rank a <see cref="TensorShape"/> holds.</summary>
    public const int MaxRank = 8;

    private Dimensions _dimensions;

    /// <summary>Copies <paramref name="dimensions"/>.</summary>
    public TensorShape(ReadOnlySpan<long> dimensions)
    {
        if (dimensions.Length > MaxRank)
        {
            throw new ArgumentException($"Tensor rank {dimensions.Length} exceeds the supported {MaxRank}.", nameof(dimensions));
        }
        dimensions.CopyTo(_dimensions);
        Rank = dimensions.Length;
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank { get; }

    /// <summary>Size of dimension <paramref name="axis"/>.</summary>
    public readonly long this[int axis] => axis < Rank ? _dimensions[axis] : throw new ArgumentOutOfRangeException(nameof(axis));

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public readonly long ElementCount
    {
        get
        {
            long count = 1;
            for (int i = 0; i < Rank; i++)
            {
                count *= _dimensions[i];
            }
            return count;
        }
    }

    /// <summary>The dimensions as a span over this value.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<long> AsSpan() => ((ReadOnlySpan<long>)_dimensions)[..Rank];

    /// <inheritdoc />
    public override readonly string ToString() => $"[{string.Join(", ", AsSpan().ToArray())}]";

    [InlineArray(MaxRank)]
    private struct Dimensions
    {
        private long _first;
    }
}
