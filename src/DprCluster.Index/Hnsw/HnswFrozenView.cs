namespace DprCluster.Index.Hnsw;

/// <summary>
/// An <see cref="HnswIndex"/> as it was at one moment, while writes go on: what a snapshot serialises and a compaction
/// rebuilds from, so neither holds the writer. Deleted slots are not reused while a view lives, so dispose it promptly.
/// </summary>
public sealed class HnswFrozenView : IDisposable
{
    private readonly HnswGraph _graph;
    private int _disposed;

    internal HnswFrozenView(HnswGraph graph, BlockTable table, int count, int deletedCount, long entry,
        int[][] links, byte[][] flags, int[]?[] upperLinks)
    {
        _graph = graph;
        Table = table;
        Count = count;
        DeletedCount = deletedCount;
        Entry = entry;
        Links = links;
        Flags = flags;
        UpperLinks = upperLinks;
    }

    /// <summary>Slots the view holds, live and deleted.</summary>
    public int Count { get; }

    /// <summary>Deleted slots among them.</summary>
    public int DeletedCount { get; }

    /// <summary>Live vectors as of the view.</summary>
    public int LiveCount => Count - DeletedCount;

    internal BlockTable Table { get; }

    internal long Entry { get; }

    internal int[][] Links { get; }

    internal byte[][] Flags { get; }

    internal int[]?[] UpperLinks { get; }

    internal HnswGraph Graph => _graph;

    /// <summary>Writes the view in the snapshot format <see cref="HnswIndex.Load(Stream, string, string)"/> reads.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _graph.Save(stream, this);
    }

    /// <summary>Lets the index reuse deleted slots again (once no other view holds it).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _graph.Thaw();
        }
    }
}
