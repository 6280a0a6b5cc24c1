namespace DprCluster.Index.Hnsw;

/// <summary>
/// A <see cref="BufferedHnswIndex"/> frozen at one point: the graph's view and the writes that were still waiting for
/// it. Saving both and replaying the writes on load restores the index exactly.
/// </summary>
public sealed class BufferedHnswFrozenView : IDisposable
{
    private readonly UnindexedWrites.Frozen _writes;

    internal BufferedHnswFrozenView(HnswFrozenView graph, UnindexedWrites.Frozen writes)
    {
        Graph = graph;
        _writes = writes;
    }

    /// <summary>The graph as of the view.</summary>
    public HnswFrozenView Graph { get; }

    /// <summary>Writes not yet in <see cref="Graph"/>.</summary>
    public int UnindexedCount => _writes.Count;

    /// <summary>Calls <paramref name="visit"/> with each waiting write in order (an empty vector for a removal).</summary>
    public void ForEachUnindexed(VectorWriteVisitor visit) => _writes.ForEach(visit);

    /// <summary>Releases the graph view, so the graph reuses deleted slots again.</summary>
    public void Dispose() => Graph.Dispose();
}
