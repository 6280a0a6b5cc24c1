using System.Runtime.CompilerServices;

namespace DprCluster.Index.Hnsw;

/// <summary>
/// Per-search scratch state (visited stamps, heaps, buffers). Rented from a <see cref="SearchContextPool"/> so the
/// query path allocates nothing once the pool is warm.
/// </summary>
internal sealed unsafe class SearchContext
{
    public readonly VisitedSet Visited = new();
    public readonly DistanceHeap Candidates = new();
    public readonly DistanceHeap Results = new();

    /// <summary>Nodes whose distance the last search computed (its cost, for telemetry).</summary>
    public int ScoredNodes;

    /// <summary>Normalised copy of a cosine query.</summary>
    public float[] Query = [];

    /// <summary>The query in the form the node kernels take (2·d + 1 floats: SQ8 adds per-query constants).</summary>
    public float[] Prepared = [];

    /// <summary>One full-precision vector read back for re-ranking or insertion.</summary>
    public float[] Original = [];

    /// <summary>Prepared forms of the node being linked and of one candidate, for neighbour selection.</summary>
    public float[] BaseQuery = [];
    public float[] CandidateQuery = [];

    /// <summary>Copy of one neighbour list, read consistently under its version stamp.</summary>
    public int[] Neighbors = [];

    /// <summary>Candidate lists sorted by distance, used by neighbour selection.</summary>
    public float[] CandidateDistances = [];
    public int[] CandidateNodes = [];

    /// <summary>Nodes chosen by the selection heuristic and their distances.</summary>
    public int[] Selected = [];
    public float[] SelectedDistances = [];

    /// <summary>Scratch for re-selecting one full neighbour list (its links plus the newcomer, or a reused slot's).</summary>
    public float[] PruneDistances = [];
    public int[] PruneNodes = [];
    public int[] PruneSelected = [];
    public float[] PruneSelectedDistances = [];

    public float* OriginalPointer => (float*)Unsafe.AsPointer(ref Original[0]);

    public float* PreparedPointer => (float*)Unsafe.AsPointer(ref Prepared[0]);

    public float* BaseQueryPointer => (float*)Unsafe.AsPointer(ref BaseQuery[0]);

    public float* CandidateQueryPointer => (float*)Unsafe.AsPointer(ref CandidateQuery[0]);

    /// <summary>Neighbours chosen on each layer of the node being inserted, M per layer, and their counts.</summary>
    public int[] LayerNodes = [];
    public float[] LayerDistances = [];
    public int[] LayerCounts = [];

    /// <summary>Makes room for the chosen neighbours of <paramref name="layers"/> layers.</summary>
    public void EnsureLayers(int layers, int perLayer)
    {
        if (LayerCounts.Length < layers || LayerNodes.Length < layers * perLayer)
        {
            LayerCounts = new int[layers];
            LayerNodes = new int[layers * perLayer];
            LayerDistances = new float[layers * perLayer];
        }
    }

    /// <summary>Remembers the neighbours chosen on <paramref name="layer"/>.</summary>
    public void SaveLayer(int layer, int perLayer, ReadOnlySpan<int> nodes, ReadOnlySpan<float> distances)
    {
        nodes.CopyTo(LayerNodes.AsSpan(layer * perLayer));
        distances.CopyTo(LayerDistances.AsSpan(layer * perLayer));
        LayerCounts[layer] = nodes.Length;
    }

    /// <summary>Grows the buffers to fit an index of the given shape.</summary>
    public void EnsureShape(int dimensions, int maxLinks, int maxCandidates)
    {
        if (Query.Length < dimensions)
        {
            Query = new float[dimensions];
            // Pinned, so kernels keep raw pointers to them across calls (see the pointer properties).
            Original = GC.AllocateArray<float>(dimensions, pinned: true);
            Prepared = GC.AllocateArray<float>(2 * dimensions + 1, pinned: true);
            BaseQuery = GC.AllocateArray<float>(2 * dimensions + 1, pinned: true);
            CandidateQuery = GC.AllocateArray<float>(2 * dimensions + 1, pinned: true);
        }
        if (Neighbors.Length < maxLinks)
        {
            Neighbors = new int[maxLinks];
        }
        if (CandidateNodes.Length < maxCandidates)
        {
            CandidateNodes = new int[maxCandidates];
            CandidateDistances = new float[maxCandidates];
        }
        if (Selected.Length < maxLinks)
        {
            Selected = new int[maxLinks];
            SelectedDistances = new float[maxLinks];
            PruneDistances = new float[2 * maxLinks + 1];
            PruneNodes = new int[2 * maxLinks + 1];
            PruneSelected = new int[2 * maxLinks + 1];
            PruneSelectedDistances = new float[2 * maxLinks + 1];
        }
    }
}

/// <summary>
/// Hands out <see cref="SearchContext"/>s, one per running search or insert. Each thread keeps the context it last
/// returned and takes it back without a lock (searches never nest, and a context fits any index: it grows to the
/// shape asked of it); only a thread that already holds one parks the extra in a small locked stack. A shared lock
/// on every search was measured to cost a sixth of a silo's CPU when four shards were searched on two cores.
/// </summary>
internal sealed class SearchContextPool
{
    [ThreadStatic]
    private static SearchContext? t_cached;

    private readonly Stack<SearchContext> _spare = new();

    public SearchContext Rent()
    {
        SearchContext? context = t_cached;
        if (context is not null)
        {
            t_cached = null;
            return context;
        }
        lock (_spare)
        {
            if (_spare.TryPop(out context))
            {
                return context;
            }
        }
        return new SearchContext();
    }

    /// <summary>Returns a context to the shared spares: for threads that end soon, whose thread cache would lose it.</summary>
    public void ReturnShared(SearchContext context)
    {
        lock (_spare)
        {
            _spare.Push(context);
        }
    }

    public void Return(SearchContext context)
    {
        if (t_cached is null)
        {
            t_cached = context;
            return;
        }
        lock (_spare)
        {
            _spare.Push(context);
        }
    }
}
