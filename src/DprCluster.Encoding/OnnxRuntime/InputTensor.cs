namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// One input of a run: model input index, shape, and the pinned memory ORT reads it from. A plain value; the ORT
/// tensor over that memory is created and released inside <see cref="OnnxSession.Run"/>.
/// </summary>
public readonly unsafe struct InputTensor
{
    private InputTensor(int inputIndex, void* data, long byteLength, TensorElementType elementType, TensorShape shape)
    {
        InputIndex = inputIndex;
        Data = data;
        ByteLength = byteLength;
        ElementType = elementType;
        Shape = shape;
    }

    /// <summary>Position of the model input this value feeds (see <see cref="OnnxSession.Inputs"/>).</summary>
    public int InputIndex { get; }

    /// <summary>Start of the data.</summary>
    public void* Data { get; }

    /// <summary>Size of the data in bytes.</summary>
    public long ByteLength { get; }

    /// <summary>Element type of the data.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The tensor shape.</summary>
    public TensorShape Shape { get; }

    /// <summary>An input over the first elements of <paramref name="buffer"/> with the given <paramref name="shape"/>.</summary>
    public static InputTensor Create<T>(int inputIndex, PinnedBuffer<T> buffer, ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        var tensorShape = new TensorShape(shape);
        long count = tensorShape.ElementCount;
        if (count < 0 || count > buffer.Capacity)
        {
            throw new ArgumentException(
                $"Shape {tensorShape} needs {count} elements but the buffer holds {buffer.Capacity}.", nameof(shape));
        }
        return new InputTensor(inputIndex, buffer.Pointer, count * sizeof(T), ElementTypeOf<T>(), tensorShape);
    }

    private static TensorElementType ElementTypeOf<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(long)) return TensorElementType.Int64;
        if (typeof(T) == typeof(int)) return TensorElementType.Int32;
        if (typeof(T) == typeof(float)) return TensorElementType.Float;
        if (typeof(T) == typeof(double)) return TensorElementType.Double;
        if (typeof(T) == typeof(bool)) return TensorElementType.Bool;
        if (typeof(T) == typeof(byte)) return TensorElementType.UInt8;
        throw new NotSupportedException($"No ONNX tensor element type for {typeof(T).Name}.");
    }
}
