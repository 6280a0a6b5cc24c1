namespace DprCluster.Index.Hnsw;

public sealed partial class HnswIndex
{
    /// <summary>Writes made during a compaction, in order (a null vector is a removal); null when none runs.</summary>
    private List<(long Id, float[]? Vector)>? _journal;

    /// <summary>
    /// Rebuilds the graph from its live nodes when deleted nodes make up more than <paramref name="tombstoneRatio"/>
    /// of the slots. Slot reuse already bounds memory; this restores the graph quality that long churn wears down
    /// (hnswlib#4). Writes and searches go on meanwhile (see <see cref="BeginCompaction"/>). True when it rebuilt.
    /// </summary>
    /// <param name="tombstoneRatio">Deleted / slots above which to rebuild, in [0, 1).</param>
    /// <param name="threads">Build threads; 0 = every core.</param>
    public bool Compact(double tombstoneRatio = 0.2, int threads = 0)
    {
        using HnswCompaction? compaction = BeginCompaction(tombstoneRatio);
        if (compaction is null)
        {
            return false;
        }
        compaction.Build(threads);
        compaction.Complete();
        return true;
    }

    /// <summary>
    /// Starts a compaction when one is due: freezes the graph and journals every write from here on. Then
    /// <see cref="HnswCompaction.Build"/> rebuilds from the frozen view without the write lock, and
    /// <see cref="HnswCompaction.Complete"/> replays what the journal has left and switches searches over atomically.
    /// Null when deleted nodes are within <paramref name="tombstoneRatio"/> or another compaction runs.
    /// </summary>
    public HnswCompaction? BeginCompaction(double tombstoneRatio = 0.2)
    {
        if (tombstoneRatio is < 0 or >= 1 || double.IsNaN(tombstoneRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(tombstoneRatio), tombstoneRatio, "Must be in [0, 1).");
        }
        lock (_writeLock)
        {
            HnswGraph graph = _graph;
            if (_journal is not null || graph.DeletedCount == 0 || graph.DeletedCount <= tombstoneRatio * graph.SlotCount)
            {
                return null;
            }
            _journal = [];
            return new HnswCompaction(this, graph.Freeze());
        }
    }

    /// <summary>
    /// The index as it is now, for writing out while writes go on (see <see cref="HnswFrozenView"/>). Dispose it when done.
    /// </summary>
    public HnswFrozenView Freeze()
    {
        lock (_writeLock)
        {
            return _graph.Freeze();
        }
    }

    /// <summary>Records a write for a running compaction; caller holds the write lock.</summary>
    private void Journal(long id, ReadOnlySpan<float> vector) => _journal?.Add((id, vector.ToArray()));

    /// <summary>Applies journal entries from <paramref name="from"/> on to <paramref name="target"/>; returns where it stopped.</summary>
    internal int ReplayJournal(HnswGraph target, int from, bool underLock)
    {
        List<(long Id, float[]? Vector)> pending;
        lock (_writeLock)
        {
            if (underLock)
            {
                return Replay(target, _journal!, from, _journal!.Count);
            }
            pending = _journal!.GetRange(from, _journal.Count - from);
        }
        return from + Replay(target, pending, 0, pending.Count);
    }

    /// <summary>Switches searches and writes to the rebuilt graph and stops journaling; caller holds the write lock.</summary>
    internal void Install(HnswGraph rebuilt)
    {
        _graph = rebuilt;
        _journal = null;
    }

    internal void AbandonCompaction()
    {
        lock (_writeLock)
        {
            _journal = null;
        }
    }

    internal object WriteLock => _writeLock;

    private int Replay(HnswGraph target, List<(long Id, float[]? Vector)> entries, int from, int to)
    {
        SearchContext context = _contexts.Rent();
        try
        {
            for (int i = from; i < to; i++)
            {
                (long id, float[]? vector) = entries[i];
                if (vector is null)
                {
                    target.Remove(id);
                }
                else
                {
                    target.Add(id, vector, context);
                }
            }
            return to;
        }
        finally
        {
            _contexts.Return(context);
        }
    }

    internal void AddChunk(HnswGraph graph, ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, int threads)
    {
        if (ids.Length == 0)
        {
            return;
        }
        graph.AddNew(ids, vectors, threads, _contexts, null);
    }
}
