using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

/// <summary>
/// Hierarchical navigable small-world graph index (Malkov &amp; Yashunin, 2018) over float32 vectors with 64-bit ids.
/// Searches run concurrently with each other and with writes; writes (add, replace, remove) are serialised, while saving
/// and compaction work on a <see cref="HnswFrozenView"/> beside them. Inner product is searched directly on the graph, as FAISS does; cosine normalises on the way in.
/// With <see cref="VectorQuantization.Sq8"/> the graph holds 8-bit codes and re-ranks each search's beam on the
/// full-precision vectors, which live in a scratch file (given a directory) or in RAM.
/// </summary>
public sealed partial class HnswIndex : IVectorIndex
{
    private readonly object _writeLock = new();
    private readonly SearchContextPool _contexts = new();
    private volatile HnswGraph _graph;

    /// <summary>Creates an empty index.</summary>
    /// <param name="options">Construction parameters.</param>
    /// <param name="originalsDirectory">
    /// Under SQ8, the directory of the scratch file that holds the full-precision vectors (unlinked at once, so
    /// nothing is left behind); null keeps them in RAM. Ignored for float32.
    /// </param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public HnswIndex(HnswOptions options, string? originalsDirectory = null)
    {
        _graph = new HnswGraph(options, originalsDirectory);
    }

    private HnswIndex(HnswGraph graph)
    {
        _graph = graph;
    }

    /// <summary>The construction parameters.</summary>
    public HnswOptions Options => _graph.Options;

    /// <inheritdoc />
    public int Dimensions => _graph.Dimensions;

    /// <inheritdoc />
    public Metric Metric => _graph.Options.Metric;

    /// <inheritdoc />
    public int Count => _graph.LiveCount;

    /// <summary>Deleted nodes still in the graph; their slots are reused by the next adds.</summary>
    public int DeletedCount => _graph.DeletedCount;

    /// <summary>Node slots in use, live plus deleted: the figure that bounds memory.</summary>
    public int SlotCount => _graph.SlotCount;

    /// <summary>Where an SQ8 index keeps its full-precision vectors: <c>memory</c> or <c>disk</c>; null for float32.</summary>
    public string? OriginalsMedium => _graph.OriginalsMedium;

    /// <summary>Bytes of RAM allocated for vectors (or codes), neighbour lists, ids, levels, flags and the id map, plus in-RAM originals.</summary>
    public long MemoryBytes
    {
        get
        {
            lock (_writeLock)
            {
                return _graph.AllocatedBytes;
            }
        }
    }

    /// <inheritdoc />
    public void Add(long id, ReadOnlySpan<float> vector)
    {
        CheckVector(vector, nameof(vector));
        lock (_writeLock)
        {
            HnswGraph graph = _graph;
            Journal(id, vector);
            SearchContext context = _contexts.Rent();
            try
            {
                graph.Add(id, vector, context);
            }
            finally
            {
                _contexts.Return(context);
            }
        }
    }

    /// <summary>
    /// Adds or replaces many vectors (<paramref name="vectors"/> holds them back to back). New, distinct ids into an
    /// index without deleted slots are inserted by <paramref name="threads"/> threads; anything else goes one by one.
    /// </summary>
    /// <param name="ids">The ids, one per vector.</param>
    /// <param name="vectors">ids.Length × <see cref="Dimensions"/> floats.</param>
    /// <param name="threads">Concurrent inserters; defaults to every core.</param>
    /// <param name="progress">Receives the number of vectors inserted so far.</param>
    public void AddRange(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, int threads = 0, IProgress<int>? progress = null)
    {
        if (vectors.Length != (long)ids.Length * Dimensions)
        {
            throw new ArgumentException(
                $"Expected {ids.Length} × {Dimensions} = {(long)ids.Length * Dimensions} floats, got {vectors.Length}.", nameof(vectors));
        }
        for (int i = 0; i < ids.Length; i++)
        {
            CheckVector(vectors.Slice(i * Dimensions, Dimensions), nameof(vectors));
        }
        threads = threads <= 0 ? Environment.ProcessorCount : threads;
        lock (_writeLock)
        {
            HnswGraph graph = _graph;
            if (graph.DeletedCount == 0 && _journal is null && AllNewAndDistinct(graph, ids))
            {
                graph.AddNew(ids, vectors, threads, _contexts, progress);
                return;
            }
            for (int i = 0; i < ids.Length; i++)
            {
                Add(ids[i], vectors.Slice(i * Dimensions, Dimensions));
                progress?.Report(i + 1);
            }
        }
    }

    /// <inheritdoc />
    public bool Remove(long id)
    {
        lock (_writeLock)
        {
            _journal?.Add((id, null));
            return _graph.Remove(id);
        }
    }

    /// <inheritdoc />
    public bool Contains(long id)
    {
        lock (_writeLock)
        {
            return _graph.Contains(id);
        }
    }

    /// <summary>Copies the stored vector of <paramref name="id"/> (unit length under cosine); false when absent.</summary>
    public bool TryGetVector(long id, Span<float> destination)
    {
        if (destination.Length < Dimensions)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats, need {Dimensions}.", nameof(destination));
        }
        lock (_writeLock)
        {
            if (!_graph.TryGetSlot(id, out int slot))
            {
                return false;
            }
            _graph.CopyVector(slot, destination);
            return true;
        }
    }

    /// <inheritdoc />
    public int Search(ReadOnlySpan<float> query, int k, Span<SearchHit> results) => Search(query, k, Options.EfSearch, results);

    /// <summary>
    /// Writes the best min(k, <see cref="Count"/>) hits, best first, into <paramref name="results"/>; returns how many.
    /// <paramref name="ef"/> is the beam width (raised to k when smaller): larger is slower and more exact.
    /// Allocates nothing once warm.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int k, int ef, Span<SearchHit> results) => Search(query, k, ef, results, out _);

    /// <summary>
    /// As <see cref="Search(ReadOnlySpan{float}, int, int, Span{SearchHit})"/>, also reporting how many nodes the
    /// search scored: its cost, which grows with ef and with tombstones near the query.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int k, int ef, Span<SearchHit> results, out int visitedNodes)
    {
        visitedNodes = 0;
        CheckSearch(query, k, results);
        if (ef < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ef), ef, "ef must be at least 1.");
        }
        HnswGraph graph = _graph;
        SearchContext context = _contexts.Rent();
        try
        {
            int found = graph.Search(Normalized(query, context), k, ef, results, context);
            visitedNodes = context.ScoredNodes;
            return found;
        }
        finally
        {
            _contexts.Return(context);
        }
    }

    /// <summary>
    /// Exact top-k by scoring every live vector (no graph walk), best first, with the same scores as
    /// <see cref="Search(ReadOnlySpan{float}, int, int, Span{SearchHit})"/>: what an HNSW answer's recall is measured
    /// against. Costs one distance per stored vector; safe beside concurrent writes, whose vectors it may see half-written.
    /// </summary>
    public int SearchExact(ReadOnlySpan<float> query, int k, Span<SearchHit> results)
    {
        CheckSearch(query, k, results);
        HnswGraph graph = _graph;
        SearchContext context = _contexts.Rent();
        try
        {
            return graph.SearchExact(Normalized(query, context), k, results, context);
        }
        finally
        {
            _contexts.Return(context);
        }
    }

    /// <summary>Convenience overload that allocates the result array.</summary>
    public SearchHit[] Search(ReadOnlySpan<float> query, int k, int? ef = null)
    {
        var hits = new SearchHit[k];
        int found = Search(query, k, ef ?? Options.EfSearch, hits);
        return found == k ? hits : hits[..found];
    }

    /// <summary>The query as the graph compares it: a unit-length copy under cosine, else itself.</summary>
    private ReadOnlySpan<float> Normalized(ReadOnlySpan<float> query, SearchContext context)
    {
        if (Metric != Metric.Cosine)
        {
            return query;
        }
        context.EnsureShape(Dimensions, 0, 0);
        Span<float> normalized = context.Query.AsSpan(0, Dimensions);
        query.CopyTo(normalized);
        VectorKernels.Normalize(normalized);
        return normalized;
    }

    private void CheckSearch(ReadOnlySpan<float> query, int k, Span<SearchHit> results)
    {
        CheckVector(query, nameof(query));
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        }
        if (results.Length < k)
        {
            throw new ArgumentException($"Results span holds {results.Length} hits, k is {k}.", nameof(results));
        }
    }

    private static bool AllNewAndDistinct(HnswGraph graph, ReadOnlySpan<long> ids)
    {
        var seen = new HashSet<long>(ids.Length);
        foreach (long id in ids)
        {
            if (!seen.Add(id) || graph.Contains(id))
            {
                return false;
            }
        }
        return true;
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
