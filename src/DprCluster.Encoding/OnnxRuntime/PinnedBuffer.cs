namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// A managed array on the pinned object heap: ORT tensors are created directly over it (no copy, no GC handle),
/// and it is reused across runs; its size is fixed at creation.
/// </summary>
public sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private readonly T[] _array;

    /// <summary>Creates a buffer of <paramref name="capacity"/> elements.</summary>
    public PinnedBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _array = GC.AllocateArray<T>(capacity, pinned: true);
    }

    /// <summary>Number of elements the buffer holds.</summary>
    public int Capacity => _array.Length;

    /// <summary>The whole buffer.</summary>
    public Span<T> Span => _array;

    /// <summary>Address of the first element; stable for the buffer's lifetime (the array is pinned).</summary>
    public T* Pointer => (T*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_array));
}
