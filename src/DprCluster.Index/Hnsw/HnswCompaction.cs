namespace DprCluster.Index.Hnsw;

/// <summary>
/// One compaction of an <see cref="HnswIndex"/> in three steps, so the rebuild never holds the writer: begun (graph
/// frozen, writes journaled), <see cref="Build"/> (a new graph from the frozen live nodes, then the journal so far,
/// all without the write lock), <see cref="Complete"/> (the journal's last entries under the lock, then the switch).
/// Disposing an uncompleted one abandons it; the index is unchanged.
/// </summary>
public sealed class HnswCompaction : IDisposable
{
    /// <summary>Live vectors copied per step of the rebuild: bounds the extra memory beyond the new graph.</summary>
    private const int Chunk = 8192;

    /// <summary>Journal entries left for the locked final step; more are replayed without the lock first.</summary>
    private const int FinalReplay = 256;

    private readonly HnswIndex _index;
    private readonly HnswFrozenView _view;
    private HnswGraph? _rebuilt;
    private int _replayed;
    private bool _completed;

    internal HnswCompaction(HnswIndex index, HnswFrozenView view)
    {
        _index = index;
        _view = view;
    }

    /// <summary>Live vectors the rebuild starts from.</summary>
    public int LiveCount => _view.LiveCount;

    /// <summary>Builds the new graph with <paramref name="threads"/> inserters (0 = every core) and replays the journal so far.</summary>
    public void Build(int threads = 0)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        threads = threads <= 0 ? Environment.ProcessorCount : threads;
        int dimensions = _index.Dimensions;
        var rebuilt = new HnswGraph(_index.Options, _view.Graph.OriginalsDirectory);
        var ids = new long[Chunk];
        var vectors = new float[Chunk * dimensions];
        int slot = 0;
        while (true)
        {
            int filled = _view.Graph.CopyLive(_view, ref slot, ids, vectors);
            if (filled == 0)
            {
                break;
            }
            _index.AddChunk(rebuilt, ids.AsSpan(0, filled), vectors.AsSpan(0, filled * dimensions), threads);
        }
        _rebuilt = rebuilt;
        CatchUp();
    }

    /// <summary>Replays the journal's rest under the write lock and switches the index to the new graph.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_rebuilt is null)
        {
            throw new InvalidOperationException("Build the new graph before completing the compaction.");
        }
        CatchUp();
        lock (_index.WriteLock)
        {
            _replayed = _index.ReplayJournal(_rebuilt, _replayed, underLock: true);
            _index.Install(_rebuilt);
        }
        _completed = true;
        _view.Dispose();
    }

    /// <summary>Abandons the compaction when it did not complete; releases the frozen view.</summary>
    public void Dispose()
    {
        if (!_completed)
        {
            _completed = true;
            _index.AbandonCompaction();
        }
        _view.Dispose();
    }

    /// <summary>Replays journal entries without the lock until few enough are left for the locked step.</summary>
    private void CatchUp()
    {
        while (true)
        {
            int replayed = _index.ReplayJournal(_rebuilt!, _replayed, underLock: false);
            bool caughtUp = replayed - _replayed <= FinalReplay;
            _replayed = replayed;
            if (caughtUp)
            {
                return;
            }
        }
    }
}
