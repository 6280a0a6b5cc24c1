using System.Buffers;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

/// <summary>
/// An <see cref="HnswIndex"/> whose writes land in a buffer at once and reach the graph from a background indexer, as
/// growing segments do in Milvus and unindexed segments in Qdrant: a write costs a copy, not a graph insertion, so a
/// writer acknowledges as fast as its log takes records, while the indexer links nodes on its own threads. Searches
/// see every write the moment it returns: the graph's answer is merged with an exact scan of the buffer, which holds at
/// most <see cref="MaxUnindexed"/> writes (the writer waits for room beyond that, <see cref="WaitForRoomAsync"/>).
/// One writer calls <see cref="Add"/> and <see cref="Remove"/>; searches run from any thread.
/// </summary>
public sealed class BufferedHnswIndex : IDisposable
{
    /// <summary>Writes the indexer applies under one hold of its lock: a snapshot's freeze waits at most that long.</summary>
    private const int BatchSize = 256;

    private readonly UnindexedWrites _writes;
    private readonly Lock _applyLock = new();
    private readonly int _threads;
    private readonly ManualResetEventSlim _pending = new(false);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread? _indexer;
    private readonly long[] _batchIds = new long[BatchSize];
    private readonly float[] _batchVectors;
    private readonly HashSet<long> _batchSet = new(BatchSize);
    private TaskCompletionSource? _roomWaiter;
    private volatile string? _indexingError;
    private int _disposed;

    /// <summary>Wraps <paramref name="graph"/>, which this index owns from now on.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit in <paramref name="options"/> is below 1.</exception>
    public BufferedHnswIndex(HnswIndex graph, BufferedIndexingOptions options)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxUnindexed, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        Graph = graph;
        MaxUnindexed = options.MaxUnindexed;
        _threads = options.Threads;
        _writes = new UnindexedWrites(graph.Dimensions);
        _batchVectors = new float[BatchSize * graph.Dimensions];
        if (options.Background)
        {
            _indexer = new Thread(RunIndexer) { IsBackground = true, Name = "hnsw-indexer" };
            _indexer.Start();
        }
    }

    /// <summary>The graph: everything but the writes still waiting.</summary>
    public HnswIndex Graph { get; }

    /// <inheritdoc cref="HnswIndex.Dimensions"/>
    public int Dimensions => Graph.Dimensions;

    /// <inheritdoc cref="HnswIndex.Options"/>
    public HnswOptions Options => Graph.Options;

    /// <inheritdoc cref="HnswIndex.DeletedCount"/>
    public int DeletedCount => Graph.DeletedCount;

    /// <summary>Most writes that wait for the graph before the writer is held back.</summary>
    public int MaxUnindexed { get; }

    /// <summary>Writes not yet in the graph: searched exactly meanwhile.</summary>
    public int Unindexed => _writes.Count;

    /// <summary>Why the indexer stopped, when it did; buffered writes stay searchable, new ones are refused (<see cref="WaitForRoomAsync"/>).</summary>
    public string? IndexingError => _indexingError;

    /// <summary>Bytes of the graph (<see cref="HnswIndex.MemoryBytes"/>) and of the buffer.</summary>
    public long MemoryBytes => Graph.MemoryBytes + _writes.Bytes;

    /// <summary>Adds or replaces <paramref name="id"/>'s vector; searchable when this returns. Writer only.</summary>
    /// <exception cref="ArgumentException">Wrong dimension, NaN or infinity.</exception>
    public void Add(long id, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"Vector has {vector.Length} dimensions, the index has {Dimensions}.", nameof(vector));
        }
        if (!VectorKernels.AllFinite(vector))
        {
            throw new ArgumentException("Vector contains NaN or infinity.", nameof(vector));
        }
        if (Options.Metric == Metric.Cosine)
        {
            // Stored as the graph stores it, so the buffer's scores and TryGetVector match the graph's.
            float[] unit = ArrayPool<float>.Shared.Rent(Dimensions);
            Span<float> normalized = unit.AsSpan(0, Dimensions);
            vector.CopyTo(normalized);
            VectorKernels.Normalize(normalized);
            _writes.Append(id, normalized);
            ArrayPool<float>.Shared.Return(unit);
        }
        else
        {
            _writes.Append(id, vector);
        }
        _pending.Set();
    }

    /// <summary>Removes <paramref name="id"/> (nothing when absent); gone from searches when this returns. Writer only.</summary>
    public void Remove(long id)
    {
        _writes.Append(id, default);
        _pending.Set();
    }

    /// <summary>
    /// Completes once fewer than <see cref="MaxUnindexed"/> writes wait; the writer awaits it before taking more.
    /// Fails with <see cref="InvalidOperationException"/> once the indexer has stopped on an error (or the index is
    /// disposed): the buffer would otherwise grow without bound.
    /// </summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken = default)
    {
        if (Stopped() is { } stopped)
        {
            return Task.FromException(stopped);
        }
        if (_writes.Count < MaxUnindexed)
        {
            return Task.CompletedTask;
        }
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _roomWaiter, waiter);
        // The indexer may have made room, failed or been stopped between the checks and the publication above.
        if (Stopped() is { } late)
        {
            waiter.TrySetException(late);
        }
        else if (_writes.Count < MaxUnindexed)
        {
            waiter.TrySetResult();
        }
        return waiter.Task.WaitAsync(cancellationToken);
    }

    private InvalidOperationException? Stopped() =>
        _indexingError is { } error ? new InvalidOperationException(error)
        : Volatile.Read(ref _disposed) != 0 ? new InvalidOperationException("the index was disposed") : null;

    /// <summary>
    /// The best min(k, live count) hits, best first: the graph's answer (beam <paramref name="ef"/>) merged with an exact
    /// scan of the waiting writes, which supersede the graph's entries for their ids. Allocates nothing once warm.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int k, int ef, Span<SearchHit> results, out int visitedNodes)
    {
        if (_writes.Count == 0)
        {
            return Graph.Search(query, k, ef, results, out visitedNodes);
        }
        if (query.Length != Dimensions || !VectorKernels.AllFinite(query))
        {
            throw new ArgumentException($"Query must have {Dimensions} finite values.", nameof(query));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        SearchHit[] buffered = ArrayPool<SearchHit>.Shared.Rent(k);
        SearchHit[] graphed = ArrayPool<SearchHit>.Shared.Rent(k);
        long[] bufferedIds = ArrayPool<long>.Shared.Rent(k);
        float[]? unit = null;
        try
        {
            ReadOnlySpan<float> scanQuery = query;
            if (Options.Metric == Metric.Cosine)
            {
                unit = ArrayPool<float>.Shared.Rent(Dimensions);
                query.CopyTo(unit);
                VectorKernels.Normalize(unit.AsSpan(0, Dimensions));
                scanQuery = unit.AsSpan(0, Dimensions);
            }
            for (int attempt = 0; ; attempt++)
            {
                long advances = _writes.Advances;
                long tail = _writes.Tail;
                // The buffer first, the graph second: a write the indexer moves meanwhile is found by one or the other.
                int fromBuffer = _writes.Scan(scanQuery, Options.Metric == Metric.L2, tail, k, buffered, out int scanned);
                Span<long> answered = bufferedIds.AsSpan(0, fromBuffer);
                for (int i = 0; i < fromBuffer; i++)
                {
                    answered[i] = buffered[i].Id;
                }
                answered.Sort();
                int graphK = k;
                int found;
                while (true)
                {
                    int fromGraph = Graph.Search(query, graphK, Math.Max(ef, graphK), graphed, out visitedNodes);
                    found = Merge(buffered.AsSpan(0, fromBuffer), answered, graphed.AsSpan(0, fromGraph), k, tail, results, out int hidden, out int used);
                    // Hidden graph hits (stale or removed) must not cost the answer the graph's next ones: when the merge
                    // ran out of graph hits, ask for as many more as were hidden (at most one per waiting write).
                    if (hidden == 0 || used < fromGraph || fromGraph < graphK || graphK >= k + (int)Math.Min(_writes.Count, 4L * k))
                    {
                        break;
                    }
                    graphK += hidden;
                    ArrayPool<SearchHit>.Shared.Return(graphed);
                    graphed = ArrayPool<SearchHit>.Shared.Rent(graphK);
                }
                visitedNodes += scanned;
                // The indexer moved writes into the graph while this ran: the two halves may disagree, so look again.
                if (_writes.Advances == advances || attempt == 2)
                {
                    return found;
                }
            }
        }
        finally
        {
            ArrayPool<SearchHit>.Shared.Return(buffered);
            ArrayPool<SearchHit>.Shared.Return(graphed);
            ArrayPool<long>.Shared.Return(bufferedIds);
            if (unit is not null)
            {
                ArrayPool<float>.Shared.Return(unit);
            }
        }
    }

    /// <summary>Copies the vector of <paramref name="id"/> (unit length under cosine); false when absent.</summary>
    public bool TryGetVector(long id, Span<float> destination)
    {
        if (_writes.TryGetLatest(id, destination, out bool removed))
        {
            return !removed;
        }
        return Graph.TryGetVector(id, destination);
    }

    /// <summary>Live ids, graph and buffer together; counts by walking the buffer, so for checks, not hot paths.</summary>
    public int CountLive()
    {
        lock (_applyLock)
        {
            int count = Graph.Count;
            var live = new Dictionary<long, bool>();
            _writes.Freeze(_writes.Head).ForEach((id, vector) =>
            {
                bool was = live.TryGetValue(id, out bool known) ? known : Graph.Contains(id);
                bool now = !vector.IsEmpty;
                count += (now ? 1 : 0) - (was ? 1 : 0);
                live[id] = now;
            });
            return count;
        }
    }

    /// <summary>The graph and the waiting writes at one point, for a snapshot; the writer must be paused.</summary>
    public BufferedHnswFrozenView Freeze()
    {
        lock (_applyLock)
        {
            HnswFrozenView graph = Graph.Freeze();
            return new BufferedHnswFrozenView(graph, _writes.Freeze(_writes.Head));
        }
    }

    /// <summary>Applies every waiting write to the graph on the caller's thread; returns how many it applied.</summary>
    public int IndexPending()
    {
        int applied = 0;
        int step;
        while ((step = IndexBatch()) > 0)
        {
            applied += step;
        }
        return applied;
    }

    /// <summary>Stops the indexer; the waiting writes stay unapplied (the log or a snapshot holds them).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        _indexer?.Join();
        Interlocked.Exchange(ref _roomWaiter, null)?.TrySetException(new InvalidOperationException("the index was disposed"));
        _pending.Dispose();
        _stopping.Dispose();
    }

    private void RunIndexer()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                // Reset before draining: a write appended after the drain sets it again, so none is missed.
                _pending.Reset();
                while (!_stopping.IsCancellationRequested && IndexBatch() > 0)
                {
                }
                _pending.Wait(_stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Searches stay exact over the buffer and the writer is no longer held back; the owner reports the error.
            _indexingError = $"the indexer stopped: {e.Message}";
            Interlocked.Exchange(ref _roomWaiter, null)?.TrySetException(new InvalidOperationException(_indexingError));
        }
    }

    /// <summary>Applies up to <see cref="BatchSize"/> waiting writes, new vectors in parallel; returns how many it consumed.</summary>
    private int IndexBatch()
    {
        int consumed;
        lock (_applyLock)
        {
            long head = _writes.Head;
            long end = Math.Min(_writes.Tail, head + BatchSize);
            if (head == end)
            {
                return 0;
            }
            int gathered = 0;
            _batchSet.Clear();
            for (long position = head; position < end; position++)
            {
                _writes.TryRead(position, out long id, out ReadOnlySpan<float> vector, out bool removal);
                if (_writes.IsReplacedBefore(position, long.MaxValue))
                {
                    continue; // a later write to the id follows: only its outcome matters
                }
                if (removal || _batchSet.Contains(id))
                {
                    // The graph's bulk insert takes distinct new ids; a removal or a repeat waits for what came before.
                    gathered = Flush(gathered);
                }
                if (removal)
                {
                    Graph.Remove(id);
                    continue;
                }
                _batchSet.Add(id);
                _batchIds[gathered] = id;
                vector.CopyTo(_batchVectors.AsSpan(gathered * Dimensions, Dimensions));
                gathered++;
            }
            Flush(gathered);
            consumed = (int)(end - head);
            _writes.Advance(end);
        }
        if (_writes.Count < MaxUnindexed)
        {
            Interlocked.Exchange(ref _roomWaiter, null)?.TrySetResult();
        }
        return consumed;
    }

    private int Flush(int gathered)
    {
        if (gathered > 0)
        {
            Graph.AddRange(_batchIds.AsSpan(0, gathered), _batchVectors.AsSpan(0, gathered * Dimensions), _threads);
            _batchSet.Clear();
        }
        return 0;
    }

    /// <summary>
    /// Merges two best-first lists into the best k. A graph hit whose id the scan answered (<paramref name="answered"/>,
    /// sorted) or a write the scan saw still waits on is stale and dropped; <paramref name="hidden"/> counts those. Each
    /// list holds an id at most once (the scan keeps only an id's latest write), so the answer does too.
    /// </summary>
    private int Merge(ReadOnlySpan<SearchHit> buffered, ReadOnlySpan<long> answered, ReadOnlySpan<SearchHit> graphed, int k, long tail,
        Span<SearchHit> results, out int hidden, out int used)
    {
        int b = 0;
        int g = 0;
        int count = 0;
        hidden = 0;
        while (count < k && (b < buffered.Length || g < graphed.Length))
        {
            if (g >= graphed.Length || (b < buffered.Length && buffered[b].Score >= graphed[g].Score))
            {
                results[count++] = buffered[b++];
                continue;
            }
            SearchHit next = graphed[g++];
            if (answered.BinarySearch(next.Id) >= 0 || _writes.HidesGraphEntry(next.Id, tail))
            {
                hidden++;
                continue;
            }
            results[count++] = next;
        }
        used = g;
        return count;
    }
}
