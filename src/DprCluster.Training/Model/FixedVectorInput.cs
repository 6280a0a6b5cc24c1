using DprCluster.Training.Optimization;

namespace DprCluster.Training.Model;

/// <summary>A frozen encoder's vectors, one row per item: what an adapter is trained over.</summary>
public sealed class FixedVectorInput(float[] vectors, int dimension) : ITowerInput
{
    /// <inheritdoc />
    public int Dimension => dimension;

    /// <inheritdoc />
    public int Count => vectors.Length / dimension;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public void Read(int item, Span<float> destination) => vectors.AsSpan(item * dimension, dimension).CopyTo(destination);

    /// <inheritdoc />
    public void Backward(int item, ReadOnlySpan<float> gradient, Gradients gradients)
    {
    }
}
