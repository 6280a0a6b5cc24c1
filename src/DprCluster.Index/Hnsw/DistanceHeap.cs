using System.Runtime.CompilerServices;

namespace DprCluster.Index.Hnsw;

/// <summary>
/// Binary max-heap of (distance, node) pairs in one growable array; used negated as a min-heap for candidates.
/// Pooled with its <see cref="SearchContext"/>, so it allocates only while growing to its working size.
/// </summary>
internal sealed class DistanceHeap
{
    private Entry[] _entries = new Entry[64];

    public int Count { get; private set; }

    public float TopDistance => _entries[0].Distance;

    public int TopNode => _entries[0].Node;

    public void Clear() => Count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float distance, int node)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }
        Entry[] entries = _entries;
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (entries[parent].Distance >= distance)
            {
                break;
            }
            entries[i] = entries[parent];
            i = parent;
        }
        entries[i] = new Entry(distance, node);
    }

    /// <summary>Removes the top; <see cref="TopDistance"/> and <see cref="TopNode"/> must be read first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Pop()
    {
        Entry[] entries = _entries;
        int count = --Count;
        if (count == 0)
        {
            return;
        }
        Entry last = entries[count];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count)
            {
                break;
            }
            if (child + 1 < count && entries[child + 1].Distance > entries[child].Distance)
            {
                child++;
            }
            if (entries[child].Distance <= last.Distance)
            {
                break;
            }
            entries[i] = entries[child];
            i = child;
        }
        entries[i] = last;
    }

    /// <summary>Empties the heap into <paramref name="distances"/>/<paramref name="nodes"/> in ascending distance.</summary>
    public int DrainAscending(Span<float> distances, Span<int> nodes)
    {
        int n = Count;
        for (int i = n - 1; i >= 0; i--)
        {
            distances[i] = TopDistance;
            nodes[i] = TopNode;
            Pop();
        }
        return n;
    }

    private readonly record struct Entry(float Distance, int Node);
}
