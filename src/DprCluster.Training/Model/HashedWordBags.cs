using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using DprCluster.Encoders.Static;
using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>
/// A tower's hashed-word channel as trained (<see cref="HashedWordChannel"/>): item i is Σ_k s_k · w_k · e^{γ[b_k]} ·
/// e_{h_k} over its distinct words, with h_k and s_k the word's hashed bucket and sign, w_k its SIF weight and γ a
/// trainable log-weight per frequency bucket (starting at 0). The tower normalises it and multiplies it by the
/// trainable <see cref="Scale"/>. Buckets come from the word, not the table, so words training never saw keep theirs.
/// </summary>
public sealed class HashedWordBags
{
    private readonly int[] _offsets;
    private readonly int[] _buckets;
    private readonly float[] _weights;
    private readonly int[] _frequencyBuckets;

    /// <summary>
    /// Creates the channel over <paramref name="dimensions"/> buckets: item i's distinct words are positions
    /// offsets[i] .. offsets[i + 1]) of <paramref name="buckets"/>, <paramref name="signedWeights"/> (sign × SIF) and
    /// <paramref name="frequencyBuckets"/>.
    /// </summary>
    public HashedWordBags(int dimensions, Parameter logFrequencyWeights, Parameter scale, int[] offsets, int[] buckets, float[] signedWeights,
        int[] frequencyBuckets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        if (offsets.Length == 0 || offsets[^1] != buckets.Length || buckets.Length != signedWeights.Length || buckets.Length != frequencyBuckets.Length)
        {
            throw new ArgumentException("Channel offsets, buckets, weights and frequency buckets do not agree.");
        }
        if (logFrequencyWeights.Values.Length != FrequencyBuckets.Count || scale.Values.Length != 1)
        {
            throw new ArgumentException($"A channel has {FrequencyBuckets.Count} frequency weights and one scale.");
        }
        Dimension = dimensions;
        LogFrequencyWeights = logFrequencyWeights;
        ScaleParameter = scale;
        _offsets = offsets;
        _buckets = buckets;
        _weights = signedWeights;
        _frequencyBuckets = frequencyBuckets;
        Parameters = [logFrequencyWeights, scale];
    }

    /// <summary>Number of hashed buckets.</summary>
    public int Dimension { get; }

    /// <summary>Number of items.</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>γ: the log of each frequency bucket's weight.</summary>
    public Parameter LogFrequencyWeights { get; }

    /// <summary>The channel's scale beside the word-vector part (one value).</summary>
    public Parameter ScaleParameter { get; }

    /// <summary>The current scale.</summary>
    public float Scale => ScaleParameter.Values[0];

    /// <summary>γ and the scale.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Writes item <paramref name="item"/>'s unnormalised hashed vector into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Read(int item, Span<float> destination)
    {
        Span<float> scales = stackalloc float[FrequencyBuckets.Count];
        TensorPrimitives.Exp(LogFrequencyWeights.Values, scales);
        destination.Clear();
        for (int k = _offsets[item]; k < _offsets[item + 1]; k++)
        {
            destination[_buckets[k]] += _weights[k] * scales[_frequencyBuckets[k]];
        }
    }

    /// <summary>
    /// Accumulates dL/dγ from dL/d(hashed vector) of the item, and <paramref name="scaleGradient"/> (dL/d scale, which
    /// the tower computes) into the scale's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(int item, ReadOnlySpan<float> gradient, float scaleGradient, Gradients gradients)
    {
        Span<float> scales = stackalloc float[FrequencyBuckets.Count];
        TensorPrimitives.Exp(LogFrequencyWeights.Values, scales);
        Span<float> logGradient = gradients.Of(gradients.IndexOf(LogFrequencyWeights));
        for (int k = _offsets[item]; k < _offsets[item + 1]; k++)
        {
            // d(e^γ · x)/dγ = e^γ · x.
            logGradient[_frequencyBuckets[k]] += _weights[k] * scales[_frequencyBuckets[k]] * gradient[_buckets[k]];
        }
        gradients.Of(gradients.IndexOf(ScaleParameter))[0] += scaleGradient;
    }
}
