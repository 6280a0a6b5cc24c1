using DprCluster.Index.Hnsw;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Flat;

/// <summary>
/// Exact search by scanning every vector: the ground truth HNSW is measured against and the index for shards too
/// small to need a graph. Batches of queries are blocked so a block of base vectors is scored against several
/// queries while it is in cache, and query blocks run in parallel.
/// </summary>
public sealed class FlatIndex : IVectorIndex
{
    /// <summary>Queries scored together against each cached run of base vectors.</summary>
    private const int QueryBlock = 8;

    /// <summary>Bytes of base vectors per cached run: about half of a typical per-core L2 cache.</summary>
    private const int BaseBlockBytes = 512 * 1024;

    [ThreadStatic]
    private static DistanceHeap? t_heap;

    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<long, int> _rowsById = new();
    private float[] _vectors = [];
    private long[] _ids = [];
    private int _count;

    /// <summary>Creates an empty index.</summary>
    public FlatIndex(int dimensions, Metric metric = Metric.InnerProduct)
    {
        if (dimensions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "Dimensions must be positive.");
        }
        Dimensions = dimensions;
        Metric = metric;
    }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public Metric Metric { get; }

    /// <inheritdoc />
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    public void Add(long id, ReadOnlySpan<float> vector)
    {
        CheckVector(vector, nameof(vector));
        _lock.EnterWriteLock();
        try
        {
            if (!_rowsById.TryGetValue(id, out int row))
            {
                row = _count;
                if (row == _ids.Length)
                {
                    int capacity = Math.Max(16, row * 2);
                    Array.Resize(ref _ids, capacity);
                    Array.Resize(ref _vectors, capacity * Dimensions);
                }
                _ids[row] = id;
                _rowsById[id] = row;
                _count = row + 1;
            }
            Span<float> destination = _vectors.AsSpan(row * Dimensions, Dimensions);
            vector.CopyTo(destination);
            if (Metric == Metric.Cosine)
            {
                VectorKernels.Normalize(destination);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Adds or replaces many vectors stored back to back in <paramref name="vectors"/>.</summary>
    public void AddRange(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        if (vectors.Length != (long)ids.Length * Dimensions)
        {
            throw new ArgumentException($"Expected {ids.Length} × {Dimensions} floats, got {vectors.Length}.", nameof(vectors));
        }
        for (int i = 0; i < ids.Length; i++)
        {
            Add(ids[i], vectors.Slice(i * Dimensions, Dimensions));
        }
    }

    /// <inheritdoc />
    public bool Remove(long id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rowsById.Remove(id, out int row))
            {
                return false;
            }
            // Move the last row into the hole so the scanned range stays dense.
            int last = --_count;
            if (row != last)
            {
                _vectors.AsSpan(last * Dimensions, Dimensions).CopyTo(_vectors.AsSpan(row * Dimensions, Dimensions));
                _ids[row] = _ids[last];
                _rowsById[_ids[row]] = row;
            }
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc />
    public bool Contains(long id)
    {
        _lock.EnterReadLock();
        try
        {
            return _rowsById.ContainsKey(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public int Search(ReadOnlySpan<float> query, int k, Span<SearchHit> results)
    {
        CheckVector(query, nameof(query));
        CheckK(k, results.Length);
        if (Metric == Metric.Cosine)
        {
            float[] normalized = new float[Dimensions];
            query.CopyTo(normalized);
            VectorKernels.Normalize(normalized);
            query = normalized;
        }
        DistanceHeap heap = t_heap ??= new DistanceHeap();
        heap.Clear();
        _lock.EnterReadLock();
        try
        {
            int count = _count;
            for (int row = 0; row < count; row++)
            {
                Offer(heap, k, Distance(query, row), row);
            }
            return Drain(heap, results);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Exact top-k for many queries at once (<paramref name="queries"/> back to back). Row q of the result occupies
    /// <c>results[q·k .. q·k + counts[q])</c>, best first.
    /// </summary>
    /// <param name="queries">Query count × <see cref="Dimensions"/> floats.</param>
    /// <param name="k">Hits per query.</param>
    /// <param name="results">Query count × k hits.</param>
    /// <param name="counts">Hits found per query (min(k, Count)).</param>
    /// <param name="threads">Parallel query blocks; 0 = every core.</param>
    public void SearchBatch(ReadOnlySpan<float> queries, int k, Span<SearchHit> results, Span<int> counts, int threads = 0)
    {
        if (queries.Length % Dimensions != 0)
        {
            throw new ArgumentException($"{queries.Length} floats do not form queries of {Dimensions}.", nameof(queries));
        }
        int n = queries.Length / Dimensions;
        CheckK(k, int.MaxValue);
        if (results.Length < (long)n * k || counts.Length < n)
        {
            throw new ArgumentException($"Need room for {n} × {k} hits and {n} counts.", nameof(results));
        }
        float[] queryCopy = queries.ToArray();
        for (int q = 0; q < n && Metric == Metric.Cosine; q++)
        {
            VectorKernels.Normalize(queryCopy.AsSpan(q * Dimensions, Dimensions));
        }
        var hits = new SearchHit[n * k];
        var found = new int[n];
        int baseBlock = Math.Max(1, BaseBlockBytes / (Dimensions * sizeof(float)));
        _lock.EnterReadLock();
        try
        {
            int count = _count;
            int queryBlocks = (n + QueryBlock - 1) / QueryBlock;
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads };
            Parallel.For(0, queryBlocks, options, () => CreateHeaps(), (block, _, heaps) =>
            {
                int first = block * QueryBlock;
                int last = Math.Min(n, first + QueryBlock);
                for (int start = 0; start < count; start += baseBlock)
                {
                    int end = Math.Min(count, start + baseBlock);
                    for (int q = first; q < last; q++)
                    {
                        ReadOnlySpan<float> query = queryCopy.AsSpan(q * Dimensions, Dimensions);
                        DistanceHeap heap = heaps[q - first];
                        for (int row = start; row < end; row++)
                        {
                            Offer(heap, k, Distance(query, row), row);
                        }
                    }
                }
                for (int q = first; q < last; q++)
                {
                    found[q] = Drain(heaps[q - first], hits.AsSpan(q * k, k));
                }
                return heaps;
            }, _ => { });
        }
        finally
        {
            _lock.ExitReadLock();
        }
        hits.CopyTo(results);
        found.CopyTo(counts);
    }

    private static DistanceHeap[] CreateHeaps()
    {
        var heaps = new DistanceHeap[QueryBlock];
        for (int i = 0; i < heaps.Length; i++)
        {
            heaps[i] = new DistanceHeap();
        }
        return heaps;
    }

    private float Distance(ReadOnlySpan<float> query, int row)
    {
        ReadOnlySpan<float> stored = _vectors.AsSpan(row * Dimensions, Dimensions);
        return Metric == Metric.L2 ? VectorKernels.SquaredL2(query, stored) : -VectorKernels.Dot(query, stored);
    }

    private static void Offer(DistanceHeap heap, int k, float distance, int row)
    {
        if (heap.Count < k)
        {
            heap.Push(distance, row);
        }
        else if (distance < heap.TopDistance)
        {
            heap.Pop();
            heap.Push(distance, row);
        }
    }

    private int Drain(DistanceHeap heap, Span<SearchHit> results)
    {
        int found = heap.Count;
        for (int i = found - 1; i >= 0; i--)
        {
            results[i] = new SearchHit(_ids[heap.TopNode], -heap.TopDistance);
            heap.Pop();
        }
        return found;
    }

    private static void CheckK(int k, int room)
    {
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        }
        if (room < k)
        {
            throw new ArgumentException($"Results span holds {room} hits, k is {k}.", "results");
        }
    }

    private void CheckVector(ReadOnlySpan<float> vector, string parameter)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"Vector has {vector.Length} dimensions, the index has {Dimensions}.", parameter);
        }
        if (!VectorKernels.AllFinite(vector))
        {
            throw new ArgumentException("Vector contains NaN or infinity.", parameter);
        }
    }
}
