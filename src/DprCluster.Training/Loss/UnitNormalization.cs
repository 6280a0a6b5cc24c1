using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace DprCluster.Training.Loss;

/// <summary>u = v / ‖v‖ and its backward pass: the towers compare unit vectors, so the dot product is the cosine.</summary>
public static class UnitNormalization
{
    /// <summary>Writes v / ‖v‖ into <paramref name="unit"/> and returns ‖v‖; a zero vector stays zero (norm 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Forward(ReadOnlySpan<float> vector, Span<float> unit)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, unit);
        }
        else
        {
            unit.Clear();
        }
        return norm;
    }

    /// <summary>
    /// dL/dv = (dL/du − u (u · dL/du)) / ‖v‖, written into <paramref name="vectorGradient"/>; zero for a zero vector,
    /// whose direction the loss cannot move.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> unit, float norm, ReadOnlySpan<float> unitGradient, Span<float> vectorGradient)
    {
        if (norm <= 0)
        {
            vectorGradient.Clear();
            return;
        }
        float along = TensorPrimitives.Dot(unit, unitGradient);
        TensorPrimitives.MultiplyAdd(unit, -along, unitGradient, vectorGradient);
        TensorPrimitives.Divide(vectorGradient, norm, vectorGradient);
    }
}
