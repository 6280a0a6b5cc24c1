using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using DprCluster.Encoders.Static;
using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>
/// Each item is a bag of words, Σ_k w_k · e^{β[b_k]} · T[slot_k]: a trainable table T of the training vocabulary (a
/// slot per word the texts use, initialised from the static vectors), the words' SIF weights w, and a trainable weight
/// per frequency bucket b (<see cref="FrequencyBuckets"/>; β starts at 0). The untrained static encoder's sum, made
/// trainable: the table with sparse updates, the bucket weights as a curve that also reweights words never trained.
/// </summary>
public sealed class WordBagInput : ITowerInput
{
    private readonly int[] _offsets;
    private readonly int[] _slots;
    private readonly float[] _weights;
    private readonly int[] _buckets;

    /// <summary>
    /// Creates the input over <paramref name="table"/> and <paramref name="logFrequencyWeights"/> (β): item i's words
    /// are slots[offsets[i] .. offsets[i + 1]), with SIF weights and frequency buckets at the same positions.
    /// </summary>
    public WordBagInput(Parameter table, Parameter logFrequencyWeights, int[] offsets, int[] slots, float[] weights, int[] buckets)
    {
        if (offsets.Length == 0 || offsets[^1] != slots.Length || slots.Length != weights.Length || slots.Length != buckets.Length)
        {
            throw new ArgumentException("Bag offsets, slots, weights and buckets do not agree.");
        }
        if (logFrequencyWeights.Values.Length != FrequencyBuckets.Count)
        {
            throw new ArgumentException($"The frequency weights hold {FrequencyBuckets.Count} values.", nameof(logFrequencyWeights));
        }
        Table = table;
        LogFrequencyWeights = logFrequencyWeights;
        _offsets = offsets;
        _slots = slots;
        _weights = weights;
        _buckets = buckets;
        Parameters = [table, logFrequencyWeights];
    }

    /// <summary>The word vectors of the training vocabulary.</summary>
    public Parameter Table { get; }

    /// <summary>β: the log of each frequency bucket's weight.</summary>
    public Parameter LogFrequencyWeights { get; }

    /// <inheritdoc />
    public int Dimension => Table.RowLength;

    /// <inheritdoc />
    public int Count => _offsets.Length - 1;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Read(int item, Span<float> destination)
    {
        Span<float> scales = stackalloc float[FrequencyBuckets.Count];
        TensorPrimitives.Exp(LogFrequencyWeights.Values, scales);
        destination.Clear();
        ReadOnlySpan<float> table = Table.Values;
        int d = Dimension;
        for (int k = _offsets[item]; k < _offsets[item + 1]; k++)
        {
            TensorPrimitives.MultiplyAdd(table.Slice(_slots[k] * d, d), _weights[k] * scales[_buckets[k]], destination, destination);
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(int item, ReadOnlySpan<float> gradient, Gradients gradients)
    {
        Span<float> scales = stackalloc float[FrequencyBuckets.Count];
        TensorPrimitives.Exp(LogFrequencyWeights.Values, scales);
        int tableIndex = gradients.IndexOf(Table);
        Span<float> scaleGradient = gradients.Of(gradients.IndexOf(LogFrequencyWeights));
        ReadOnlySpan<float> table = Table.Values;
        int d = Dimension;
        for (int k = _offsets[item]; k < _offsets[item + 1]; k++)
        {
            float factor = _weights[k] * scales[_buckets[k]];
            Span<float> row = gradients.Row(tableIndex, _slots[k]);
            TensorPrimitives.MultiplyAdd(gradient, factor, row, row);
            // d(e^β · x)/dβ = e^β · x: the word's contribution, projected on the gradient.
            scaleGradient[_buckets[k]] += factor * TensorPrimitives.Dot(table.Slice(_slots[k] * d, d), gradient);
        }
    }
}
