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

    /// <summary>Accumulates the gradients of the map and of the input from dL/du, given what <see cref="Forward"/> wrote.</summary>
    public void Backward(int item, ReadOnlySpan<float> input, ReadOnlySpan<float> unit, float norm, ReadOnlySpan<float> unitGradient,
        Gradients gradients)
    {
        int d = Dimension;
        Span<float> mapped = d <= 1024 ? stackalloc float[d] : new float[d];
        UnitNormalization.Backward(unit, norm, unitGradient, mapped);
        if (Map is null)
        {
            Input.Backward(item, mapped, gradients);
            return;
        }
        // dL/dW = dL/dv ⊗ x; dL/dx = Wᵀ · dL/dv, needed only when the input is trainable.
        Span<float> mapGradient = gradients.Of(gradients.IndexOf(Map));
        ReadOnlySpan<float> weights = Map.Values;
        bool inputTrains = Input.Parameters.Count > 0;
        Span<float> inputGradient = inputTrains ? (d <= 1024 ? stackalloc float[d] : new float[d]) : [];
        inputGradient.Clear();
        for (int o = 0; o < d; o++)
        {
            float g = mapped[o];
            if (g == 0)
            {
                continue;
            }
            Span<float> row = mapGradient.Slice(o * d, d);
            TensorPrimitives.MultiplyAdd(input, g, row, row);
            if (inputTrains)
            {
                TensorPrimitives.MultiplyAdd(weights.Slice(o * d, d), g, inputGradient, inputGradient);
            }
        }
        if (inputTrains)
        {
            Input.Backward(item, inputGradient, gradients);
        }
    }
}
