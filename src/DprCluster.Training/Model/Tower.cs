using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using DprCluster.Training.Loss;
using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>
/// One side of the dual encoder as trained: u = normalise(W·x), x the input's vector for the item and W a trainable
/// linear map (or none); with a hashed-word channel h, u = normalise([normalise(W·x) ; s · normalise(h)]). Forward
/// writes x and u for the backward pass.
/// </summary>
public sealed class Tower
{
    /// <summary>
    /// Creates a tower over <paramref name="input"/>; a null <paramref name="map"/> leaves x unmapped, a null
    /// <paramref name="hashedWords"/> adds no channel.
    /// </summary>
    public Tower(ITowerInput input, Parameter? map, HashedWordBags? hashedWords = null)
    {
        if (map is not null && (map.Rows != input.Dimension || map.RowLength != input.Dimension))
        {
            throw new ArgumentException($"A {map.Rows} x {map.RowLength} map does not fit {input.Dimension}-d inputs.");
        }
        if (hashedWords is not null && hashedWords.Count != input.Count)
        {
            throw new ArgumentException($"The hashed-word channel has {hashedWords.Count} items, the input {input.Count}.");
        }
        Input = input;
        Map = map;
        HashedWords = hashedWords;
    }

    /// <summary>What the tower reads.</summary>
    public ITowerInput Input { get; }

    /// <summary>The trainable map, or null.</summary>
    public Parameter? Map { get; }

    /// <summary>The hashed-word channel, or null.</summary>
    public HashedWordBags? HashedWords { get; }

    /// <summary>Length of x, the input's vectors.</summary>
    public int InputDimension => Input.Dimension;

    /// <summary>Length of u, the tower's output: x's length plus the hashed-word channel's.</summary>
    public int Dimension => Input.Dimension + (HashedWords?.Dimension ?? 0);

    /// <summary>
    /// Writes x into <paramref name="input"/> (<see cref="InputDimension"/> long) and u into <paramref name="unit"/>
    /// (<see cref="Dimension"/> long); returns ‖W·x‖.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Forward(int item, Span<float> input, Span<float> unit)
    {
        int d = InputDimension;
        Input.Read(item, input);
        Span<float> words = unit[..d];
        float norm;
        if (Map is null)
        {
            norm = UnitNormalization.Forward(input, words);
        }
        else
        {
            Span<float> mapped = d <= 1024 ? stackalloc float[d] : new float[d];
            ReadOnlySpan<float> weights = Map.Values;
            for (int o = 0; o < d; o++)
            {
                mapped[o] = TensorPrimitives.Dot(weights.Slice(o * d, d), input);
            }
            norm = UnitNormalization.Forward(mapped, words);
        }
        if (HashedWords is { } channel)
        {
            Span<float> hashed = unit[d..];
            channel.Read(item, hashed);
            UnitNormalization.Forward(hashed, hashed);
            TensorPrimitives.Multiply(hashed, channel.Scale, hashed);
            UnitNormalization.Forward(unit, unit);
        }
        return norm;
    }

    /// <summary>
    /// Accumulates a batch's gradients from dL/du of each item (row i of the arrays is item i, as
    /// <see cref="Forward"/> wrote it: x rows <see cref="InputDimension"/> long, u rows <see cref="Dimension"/> long).
    /// The map's gradient, Σ_i dL/dv_i ⊗ x_i, goes into <paramref name="gradients"/>[0] as one product over the batch,
    /// its rows split across threads, so its sum order never depends on the thread count; the input's, through
    /// Wᵀ·dL/dv_i, and the hashed-word channel's into the accumulator of the item's range.
    /// <paramref name="vectorGradients"/> is scratch for dL/dv, one row of <see cref="InputDimension"/> per item.
    /// </summary>
    public void Backward(int[] items, float[] inputs, float[] units, float[] norms, float[] unitGradients, float[] vectorGradients,
        Gradients[] gradients, int threads)
    {
        int d = InputDimension;
        int width = Dimension;
        int count = items.Length;
        Partition.Run(count, threads, (range, start, end) =>
        {
            float[]? scratch = HashedWords is null ? null : new float[width + width];
            for (int i = start; i < end; i++)
            {
                if (scratch is null)
                {
                    UnitNormalization.Backward(units.AsSpan(i * d, d), norms[i], unitGradients.AsSpan(i * d, d), vectorGradients.AsSpan(i * d, d));
                }
                else
                {
                    ChannelBackward(items[i], units.AsSpan(i * width, width), norms[i], unitGradients.AsSpan(i * width, width),
                        vectorGradients.AsSpan(i * d, d), scratch, gradients[range]);
                }
            }
        });
        if (Map is not null)
        {
            float[] mapGradient = gradients[0].OfArray(gradients[0].IndexOf(Map));
            Partition.Run(d, threads, (start, end) => MapGradientRows(inputs, vectorGradients, count, d, start, end, mapGradient));
        }
        if (Input.Parameters.Count == 0)
        {
            return;
        }
        Partition.Run(count, threads, (range, start, end) => InputGradients(items, vectorGradients, start, end, gradients[range]));
    }

    /// <summary>
    /// Back through u = normalise([a ; s·c]), a = normalise(W·x) and c = normalise(h): writes dL/d(W·x) into
    /// <paramref name="vectorGradient"/> and hands dL/dh and dL/ds to the channel. The channel's h and c are recomputed
    /// rather than kept from the forward pass; ‖[a ; s·c]‖ follows from which parts are non-zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ChannelBackward(int item, ReadOnlySpan<float> unit, float norm, ReadOnlySpan<float> unitGradient, Span<float> vectorGradient,
        float[] scratch, Gradients gradients)
    {
        HashedWordBags channel = HashedWords!;
        int d = InputDimension;
        int width = Dimension;
        float scale = channel.Scale;
        Span<float> joined = scratch.AsSpan(0, width);
        Span<float> words = scratch.AsSpan(width, d);
        Span<float> hashed = scratch.AsSpan(width + d, width - d);
        channel.Read(item, hashed);
        float hashedNorm = UnitNormalization.Forward(hashed, hashed);
        float outerNorm = MathF.Sqrt((norm > 0 ? 1 : 0) + (hashedNorm > 0 ? scale * scale : 0));
        UnitNormalization.Backward(unit, outerNorm, unitGradient, joined);
        TensorPrimitives.Multiply(unit[..d], outerNorm, words);
        UnitNormalization.Backward(words, norm, joined[..d], vectorGradient);
        Span<float> hashedGradient = joined[d..];
        float scaleGradient = TensorPrimitives.Dot(hashedGradient, hashed);
        TensorPrimitives.Multiply(hashedGradient, scale, hashedGradient);
        UnitNormalization.Backward(hashed, hashedNorm, hashedGradient, hashedGradient);
        channel.Backward(item, hashedGradient, scaleGradient, gradients);
    }

    /// <summary>Rows [start, end) of dL/dW = Σ_i dL/dv_i ⊗ x_i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MapGradientRows(float[] inputs, float[] vectorGradients, int count, int d, int start, int end, float[] mapGradient)
    {
        for (int o = start; o < end; o++)
        {
            Span<float> row = mapGradient.AsSpan(o * d, d);
            for (int i = 0; i < count; i++)
            {
                float g = vectorGradients[i * d + o];
                if (g != 0)
                {
                    TensorPrimitives.MultiplyAdd(inputs.AsSpan(i * d, d), g, row, row);
                }
            }
        }
    }

    /// <summary>Items [start, end): dL/dx = Wᵀ · dL/dv (or dL/dv without a map), handed to the input's backward pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InputGradients(int[] items, float[] vectorGradients, int start, int end, Gradients gradients)
    {
        int d = InputDimension;
        Span<float> inputGradient = d <= 1024 ? stackalloc float[d] : new float[d];
        ReadOnlySpan<float> weights = Map is null ? [] : Map.Values;
        for (int i = start; i < end; i++)
        {
            ReadOnlySpan<float> vectorGradient = vectorGradients.AsSpan(i * d, d);
            if (Map is null)
            {
                vectorGradient.CopyTo(inputGradient);
            }
            else
            {
                inputGradient.Clear();
                for (int o = 0; o < d; o++)
                {
                    if (vectorGradient[o] != 0)
                    {
                        TensorPrimitives.MultiplyAdd(weights.Slice(o * d, d), vectorGradient[o], inputGradient, inputGradient);
                    }
                }
            }
            Input.Backward(items[i], inputGradient, gradients);
        }
    }
}
