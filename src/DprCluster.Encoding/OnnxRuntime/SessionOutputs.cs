using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// The outputs of one <see cref="OnnxSession.Run"/>, owned until <see cref="Dispose"/> releases them. Held inline,
/// so a run allocates no managed memory for its results.
/// </summary>
public unsafe ref struct SessionOutputs
{
    /// <summary>Most outputs one run can request.</summary>
    public const int MaxOutputs = 8;

    private readonly OnnxSession _session;
    private Values _values;
    private readonly Indices _indices;

    internal SessionOutputs(OnnxSession session, scoped ReadOnlySpan<int> outputIndices)
    {
        _session = session;
        Count = outputIndices.Length;
        outputIndices.CopyTo(_indices);
    }

    /// <summary>Number of outputs the run produced.</summary>
    public int Count { get; }

    /// <summary>Slots ORT writes the output values into.</summary>
    [UnscopedRef]
    internal Span<nint> ValueSlots => ((Span<nint>)_values)[..Count];

    /// <summary>Output <paramref name="position"/> (in the order the run requested them).</summary>
    public readonly OutputTensor this[int position]
    {
        get
        {
            if ((uint)position >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(position));
            }
            return _session.DescribeOutput(_values[position], _indices[position]);
        }
    }

    /// <summary>Releases the ORT values; views obtained from this object become invalid.</summary>
    public void Dispose()
    {
        for (int i = 0; i < Count; i++)
        {
            if (_values[i] != 0)
            {
                _session.Library.Api.ReleaseValue(_values[i]);
                _values[i] = 0;
            }
        }
    }

    [InlineArray(MaxOutputs)]
    private struct Values
    {
        private nint _first;
    }

    [InlineArray(MaxOutputs)]
    private struct Indices
    {
        private int _first;
    }
}
