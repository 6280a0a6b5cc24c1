namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// A managed array on the pinned object heap: ORT tensors are created directly over it (no copy, no GC handle),
/// and it is reused across runs. Growing replaces the array, so tensors must not outlive the run they were made for.
/// </summary>
public sealed unsafe class PinnedBuffer<T>
    where T : unmanaged
{
    private T[] _array;

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

    /// <summary>Address of the first element; stable until the buffer grows.</summary>
    public T* Pointer => (T*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_array));

    /// <summary>Grows (contents not kept) so that at least <paramref name="capacity"/> elements fit.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _array.Length)
        {
            _array = GC.AllocateArray<T>(Math.Max(capacity, _array.Length * 2), pinned: true);
        }
    }
}
