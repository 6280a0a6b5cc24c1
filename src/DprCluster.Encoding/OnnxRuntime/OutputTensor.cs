namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// A view of one output of a run, valid until its <see cref="SessionOutputs"/> is disposed. The data stays in
/// ORT-owned native memory; nothing is copied.
/// </summary>
public readonly unsafe ref struct OutputTensor
{
    private readonly void* _data;

    internal OutputTensor(string name, TensorElementType elementType, TensorShape shape, void* data)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
        _data = data;
    }

    /// <summary>The model output's name.</summary>
    public string Name { get; }

    /// <summary>Element type of the output.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>Shape of the output.</summary>
    public TensorShape Shape { get; }

    /// <summary>The elements of a float output, in row-major order.</summary>
    public ReadOnlySpan<float> AsFloats()
    {
        if (ElementType != TensorElementType.Float)
        {
            throw new InvalidOperationException($"Output '{Name}' holds {ElementType}, not Float.");
        }
        return new ReadOnlySpan<float>(_data, checked((int)Shape.ElementCount));
    }
}
