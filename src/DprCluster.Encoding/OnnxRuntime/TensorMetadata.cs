using Microsoft.ML.OnnxRuntime.Tensors;

namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// A model input or output as the session reports it. <paramref name="Dimensions"/> holds -1 for symbolic
/// (dynamic) axes such as batch and sequence; <paramref name="IsTensor"/> is false for sequences, maps and optionals.
/// </summary>
public sealed record TensorMetadata(string Name, bool IsTensor, TensorElementType ElementType, IReadOnlyList<long> Dimensions)
{
    /// <inheritdoc />
    public override string ToString() =>
        IsTensor ? $"{Name}: {ElementType}[{string.Join(", ", Dimensions)}]" : $"{Name}: (not a tensor)";
}
