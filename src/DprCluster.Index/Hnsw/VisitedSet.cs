using System.Runtime.CompilerServices;

namespace DprCluster.Index.Hnsw;

/// <summary>
/// Marks nodes seen by one search. A generation stamp per node makes clearing O(1): a node is visited when its stamp
/// equals the current generation, and the array is zeroed only when the 32-bit generation wraps.
/// </summary>
internal sealed class VisitedSet
{
    private uint[] _stamps = [];
    private uint _generation;

    /// <summary>Nodes below this can be marked; larger ids (added after the search began) are treated as visited.</summary>
    public int Capacity => _stamps.Length;

    /// <summary>Starts a new search over up to <paramref name="capacity"/> nodes.</summary>
    public void Reset(int capacity)
    {
        if (_stamps.Length < capacity)
        {
            _stamps = new uint[Math.Max(capacity, _stamps.Length * 2)];
            _generation = 0;
        }
        if (++_generation == 0)
        {
            Array.Clear(_stamps);
            _generation = 1;
        }
    }

    /// <summary>Marks <paramref name="node"/>; returns false when it was already marked or is out of range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryVisit(int node)
    {
        uint[] stamps = _stamps;
        if ((uint)node >= (uint)stamps.Length || stamps[node] == _generation)
        {
            return false;
        }
        stamps[node] = _generation;
        return true;
    }
}
