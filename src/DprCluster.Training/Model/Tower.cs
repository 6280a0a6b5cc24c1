using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using DprCluster.Training.Loss;
using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>
/// One side of the dual encoder as trained: u = normalise(W·x), x the input's vector for the item and W a trainable
/// linear map (or none). Forward writes x and u for the backward pass.
/// </summary>
public sealed class Tower
{
    /// <summary>Creates a tower over <paramref name="input"/>; a null <paramref name="map"/> leaves x unmapped.</summary>
    public Tower(ITowerInput input, Parameter? map)
    {
        if (map is not null && (map.Rows != input.Dimension || map.RowLength != input.Dimension))
        {
            throw new ArgumentException($"A {map.Rows} x {map.RowLength} map does not fit {input.Dimension}-d inputs.");
        }
        Input = input;
        Map = map;
    }

    /// <summary>What the tower reads.</summary>
    public ITowerInput Input { get; }

    /// <summary>The trainable map, or null.</summary>
    public Parameter? Map { get; }

    /// <summary>Length of the vectors.</summary>
    public int Dimension => Input.Dimension;

    /// <summary>Writes x into <paramref name="input"/> and u into <paramref name="unit"/>; returns ‖W·x‖.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Forward(int item, Span<float> input, Span<float> unit)
    {
        Input.Read(item, input);
        if (Map is null)
        {
            return UnitNormalization.Forward(input, unit);
        }
        Span<float> mapped = Dimension <= 1024 ? stackalloc float[Dimension] : new float[Dimension];
        ReadOnlySpan<float> weights = Map.Values;
        for (int o = 0; o < Dimension; o++)
        {
            mapped[o] = TensorPrimitives.Dot(weights.Slice(o * Dimension, Dimension), input);
        }
        return UnitNormalization.Forward(mapped, unit);
    }

    /// <summary>
    /// Accumulates a batch's gradients from dL/du of each item (row i of the arrays is item i, as
    /// <see cref="Forward"/> wrote it). The map's gradient, Σ_i dL/dv_i ⊗ x_i, goes into <paramref name="gradients"/>[0]
    /// as one product over the batch, its rows split across threads, so its sum order never depends on the thread count;
    /// the input's, through Wᵀ·dL/dv_i, into the accumulator of the item's range. <paramref name="vectorGradients"/>
    /// is scratch for dL/dv, one row per item.
    /// </summary>
    public void Backward(int[] items, float[] inputs, float[] units, float[] norms, float[] unitGradients, float[] vectorGradients,
        Gradients[] gradients, int threads)
    {
        int d = Dimension;
        int count = items.Length;
        Partition.Run(count, threads, (start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                UnitNormalization.Backward(units.AsSpan(i * d, d), norms[i], unitGradients.AsSpan(i * d, d), vectorGradients.AsSpan(i * d, d));
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
        int d = Dimension;
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
