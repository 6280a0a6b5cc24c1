using System.Buffers;
using System.Runtime.CompilerServices;

namespace DprCluster.Text.Tokenization;

/// <summary>
/// An append-only buffer over arrays rented from <see cref="ArrayPool{T}.Shared"/>, so that per-call scratch space
/// costs no garbage. A mutable struct: pass it by <c>ref</c> and call <see cref="Dispose"/> exactly once.
/// </summary>
internal struct GrowableBuffer<T> : IDisposable
{
    private T[] _items;

    public GrowableBuffer(int initialCapacity)
    {
        _items = ArrayPool<T>.Shared.Rent(Math.Max(initialCapacity, 16));
        Count = 0;
    }

    public int Count { get; private set; }

    public readonly Span<T> Written => _items.AsSpan(0, Count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            Grow(Count + 1);
        }

        _items[Count++] = item;
    }

    public void AddRange(ReadOnlySpan<T> items)
    {
        if (Count + items.Length > _items.Length)
        {
            Grow(Count + items.Length);
        }

        items.CopyTo(_items.AsSpan(Count));
        Count += items.Length;
    }

    /// <summary>Makes room for <paramref name="extra"/> more items and returns that free space.</summary>
    public Span<T> Reserve(int extra)
    {
        if (Count + extra > _items.Length)
        {
            Grow(Count + extra);
        }

        return _items.AsSpan(Count, extra);
    }

    /// <summary>Counts <paramref name="count"/> items written into the space <see cref="Reserve"/> returned.</summary>
    public void Advance(int count) => Count += count;

    /// <summary>Drops everything after the first <paramref name="count"/> items.</summary>
    public void Truncate(int count) => Count = Math.Min(Count, count);

    public void Clear() => Count = 0;

    public void Dispose()
    {
        if (_items is not null)
        {
            ArrayPool<T>.Shared.Return(_items);
            _items = null!;
        }
    }

    private void Grow(int required)
    {
        var larger = ArrayPool<T>.Shared.Rent(Math.Max(required, _items.Length * 2));
        _items.AsSpan(0, Count).CopyTo(larger);
        ArrayPool<T>.Shared.Return(_items);
        _items = larger;
    }
}
