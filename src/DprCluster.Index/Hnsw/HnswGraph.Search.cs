using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

internal sealed unsafe partial class HnswGraph
{
    /// <summary>Slots whose originals an exact search over a quantized graph reads per call to the store.</summary>
    private const int ExactScanChunk = 1024;

    /// <summary>Top-k search with this graph's kernels (see <see cref="SearchWith{TDistance}"/>).</summary>
    public int Search(ReadOnlySpan<float> query, int k, int ef, Span<SearchHit> results, SearchContext context) => _kind switch
    {
        DistanceKind.L2 => SearchWith<SquaredEuclidean>(query, k, ef, results, context),
        DistanceKind.Sq8Dot => SearchWith<Sq8NegativeDot>(query, k, ef, results, context),
        DistanceKind.Sq8L2 => SearchWith<Sq8SquaredEuclidean>(query, k, ef, results, context),
        _ => SearchWith<NegativeDot>(query, k, ef, results, context),
    };

    /// <summary>Exact top-k over the full-precision vectors (see <see cref="SearchExactWith{TDistance}"/>).</summary>
    public int SearchExact(ReadOnlySpan<float> query, int k, Span<SearchHit> results, SearchContext context) =>
        Options.Metric == Metric.L2
            ? SearchExactWith<SquaredEuclidean>(query, k, results, context)
            : SearchExactWith<NegativeDot>(query, k, results, context);

    /// <summary>
    /// Top-k search: greedy descent through the upper layers, then a beam of width max(ef, k) on layer 0 that skips
    /// deleted nodes as results but walks through them, and keeps going until it holds ef live results or runs out of
    /// candidates, so many deletions near the query never starve the top-k. Over SQ8 codes, the beam's best 2k results are
    /// then re-ranked on their full-precision vectors, so the scores returned are exact.
    /// </summary>
    private int SearchWith<TDistance>(ReadOnlySpan<float> query, int k, int ef, Span<SearchHit> results, SearchContext context)
        where TDistance : struct, IDistance
    {
        BlockTable table = _table;
        Sq8Range? range = _range;
        long entry = Volatile.Read(ref _entry);
        int entrySlot = EntrySlot(entry);
        // Reset first: the context is pooled, and an empty graph must not report the previous search's count.
        context.ScoredNodes = 0;
        if (entrySlot < 0 || k <= 0)
        {
            return 0;
        }
        context.EnsureShape(Dimensions, M0, 0);
        fixed (float* raw = query)
        {
            float* q = TDistance.Prepare(raw, context.PreparedPointer, range, Dimensions);
            int current = DescendToLevel<TDistance>(table, q, entrySlot, EntryLevel(entry), 0, context);
            SearchLayer<TDistance>(table, q, current, Math.Max(ef, k), 0, liveOnly: true, context);
            if (TDistance.Quantized)
            {
                Rerank<TDistance>(raw, k, context);
            }
        }
        DistanceHeap best = TDistance.Quantized ? context.Candidates : context.Results;
        while (best.Count > k)
        {
            best.Pop();
        }
        int found = best.Count;
        for (int i = found - 1; i >= 0; i--)
        {
            results[i] = new SearchHit(IdOf(table, best.TopNode), -best.TopDistance);
            best.Pop();
        }
        return found;
    }

    private const int RerankPerResult = 2;

    /// <summary>Scores the beam's best 2k on their originals and keeps the best k in <c>context.Candidates</c>.</summary>
    private void Rerank<TDistance>(float* query, int k, SearchContext context) where TDistance : struct, IDistance
    {
        DistanceHeap beam = context.Results;
        DistanceHeap best = context.Candidates;
        best.Clear();
        float* original = context.OriginalPointer;
        // Only the best 2k of the beam by code distance are read back: each is a read from the originals, and on 384-d
        // clustered data a deeper re-rank (3k, 5k, the whole beam) found the same top-10 at up to 1.9x the cost.
        while (beam.Count > RerankPerResult * k)
        {
            beam.Pop();
        }
        while (beam.Count > 0)
        {
            int slot = beam.TopNode;
            beam.Pop();
            _originals!.Read(slot, context.Original);
            float distance = TDistance.Exact(query, original, Dimensions);
            if (best.Count < k)
            {
                best.Push(distance, slot);
            }
            else if (distance < best.TopDistance)
            {
                best.Pop();
                best.Push(distance, slot);
            }
        }
    }

    /// <summary>
    /// Exact top-k over every live node, ignoring the links: the reference a search's recall is measured against.
    /// It reads full-precision vectors (a quantized graph's originals), so it measures the quantization too. A node
    /// written while the scan passes may be scored against a half-written vector; callers use this for estimates.
    /// </summary>
    private int SearchExactWith<TDistance>(ReadOnlySpan<float> query, int k, Span<SearchHit> results, SearchContext context)
        where TDistance : struct, IDistance
    {
        BlockTable table = _table;
        int slots = Math.Min(SlotCount, table.Capacity);
        DistanceHeap best = context.Results;
        best.Clear();
        float[]? chunk = _originals is null ? null : ArrayPool<float>.Shared.Rent(ExactScanChunk * Dimensions);
        try
        {
            fixed (float* q = query)
            fixed (float* chunkBase = chunk)
            {
                for (int slot = 0; slot < slots; slot++)
                {
                    float* vector;
                    if (chunkBase is null)
                    {
                        vector = (float*)NodeOf(table, slot);
                    }
                    else
                    {
                        int offset = slot % ExactScanChunk;
                        if (offset == 0)
                        {
                            _originals!.ReadRange(slot, chunk.AsSpan(0, Math.Min(ExactScanChunk, slots - slot) * Dimensions));
                        }
                        vector = chunkBase + (nint)offset * Dimensions;
                    }
                    if (IsDeleted(table, slot))
                    {
                        continue;
                    }
                    float distance = TDistance.Exact(q, vector, Dimensions);
                    if (best.Count < k)
                    {
                        best.Push(distance, slot);
                    }
                    else if (distance < best.TopDistance)
                    {
                        best.Pop();
                        best.Push(distance, slot);
                    }
                }
            }
        }
        finally
        {
            if (chunk is not null)
            {
                ArrayPool<float>.Shared.Return(chunk);
            }
        }
        context.ScoredNodes = slots;
        int found = best.Count;
        for (int i = found - 1; i >= 0; i--)
        {
            results[i] = new SearchHit(IdOf(table, best.TopNode), -best.TopDistance);
            best.Pop();
        }
        return found;
    }

    internal long IdOf(BlockTable table, int slot) => table.Blocks[slot >> _blockShift].Ids[slot & _blockMask];

    /// <summary>Greedy walk from <paramref name="start"/> on each layer above <paramref name="targetLevel"/>.</summary>
    private int DescendToLevel<TDistance>(BlockTable table, float* q, int start, int fromLevel, int targetLevel, SearchContext context)
        where TDistance : struct, IDistance
    {
        int current = start;
        float currentDistance = TDistance.Compute(q, NodeOf(table, current), Dimensions);
        fixed (int* neighbors = context.Neighbors)
        {
            for (int level = fromLevel; level > targetLevel; level--)
            {
                bool moved = true;
                while (moved)
                {
                    moved = false;
                    int count = ReadList(ListOf(table, current, level), neighbors, M);
                    for (int i = 0; i < count; i++)
                    {
                        int candidate = neighbors[i];
                        if ((uint)candidate >= (uint)table.Capacity)
                        {
                            continue;
                        }
                        float distance = TDistance.Compute(q, NodeOf(table, candidate), Dimensions);
                        context.ScoredNodes++;
                        if (distance < currentDistance)
                        {
                            currentDistance = distance;
                            current = candidate;
                            moved = true;
                        }
                    }
                }
            }
        }
        return current;
    }

    /// <summary>
    /// Beam search of width <paramref name="ef"/> on one layer from <paramref name="entry"/>. Leaves the best nodes
    /// found in <c>context.Results</c> (a max-heap on distance). With <paramref name="liveOnly"/>, deleted nodes are
    /// traversed but not kept as results.
    /// </summary>
    private void SearchLayer<TDistance>(BlockTable table, float* q, int entry, int ef, int level, bool liveOnly, SearchContext context)
        where TDistance : struct, IDistance
    {
        VisitedSet visited = context.Visited;
        DistanceHeap candidates = context.Candidates;
        DistanceHeap results = context.Results;
        visited.Reset(table.Capacity);
        candidates.Clear();
        results.Clear();
        int maxLinks = MaxLinks(level);
        bool mustFill = liveOnly && Volatile.Read(ref _deletedCount) > 0;

        float entryDistance = TDistance.Compute(q, NodeOf(table, entry), Dimensions);
        visited.TryVisit(entry);
        candidates.Push(-entryDistance, entry);
        if (!liveOnly || !IsDeleted(table, entry))
        {
            results.Push(entryDistance, entry);
        }
        float bound = results.Count > 0 ? results.TopDistance : float.PositiveInfinity;

        fixed (int* neighbors = context.Neighbors)
        {
            while (candidates.Count > 0)
            {
                float candidateDistance = -candidates.TopDistance;
                if (candidateDistance > bound && (results.Count == ef || !mustFill))
                {
                    break;
                }
                int candidate = candidates.TopNode;
                candidates.Pop();

                int count = ReadList(ListOf(table, candidate, level), neighbors, maxLinks);
                // Unvisited neighbours first, each prefetched as found, so their cache misses overlap instead of
                // coming one at a time; the next one's whole node is prefetched while the current one is scored.
                int fresh = 0;
                for (int i = 0; i < count; i++)
                {
                    int neighbor = neighbors[i];
                    if (visited.TryVisit(neighbor))
                    {
                        neighbors[fresh++] = neighbor;
                        Prefetch(table, neighbor);
                    }
                }
                for (int i = 0; i < fresh; i++)
                {
                    int neighbor = neighbors[i];
                    if (i + 1 < fresh)
                    {
                        PrefetchNode(table, neighbors[i + 1]);
                    }
                    float distance = TDistance.Compute(q, NodeOf(table, neighbor), Dimensions);
                    context.ScoredNodes++;
                    if (results.Count < ef || distance < bound)
                    {
                        candidates.Push(-distance, neighbor);
                        if (candidates.TopNode == neighbor)
                        {
                            // The next node to expand: its list's cache miss overlaps the rest of this expansion.
                            PrefetchList(table, neighbor, level);
                        }
                        if (!liveOnly || !IsDeleted(table, neighbor))
                        {
                            results.Push(distance, neighbor);
                            if (results.Count > ef)
                            {
                                results.Pop();
                            }
                        }
                        if (results.Count > 0)
                        {
                            bound = results.TopDistance;
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsDeleted(BlockTable table, int slot) => (Volatile.Read(ref *FlagOf(table, slot)) & NodeBlock.DeletedFlag) != 0;

    /// <summary>Prefetches the rest of a node whose first line <see cref="Prefetch"/> already asked for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchNode(BlockTable table, int slot)
    {
        if (Sse.IsSupported && (uint)slot < (uint)table.Capacity)
        {
            byte* node = NodeOf(table, slot);
            for (int offset = 64; offset < _nodeBytes; offset += 64)
            {
                Sse.Prefetch0(node + offset);
            }
        }
    }

    /// <summary>Prefetches the level-0 neighbour list of a node (upper levels are few and stay cached).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchList(BlockTable table, int slot, int level)
    {
        if (Sse.IsSupported && level == 0)
        {
            byte* list = (byte*)ListOf(table, slot, 0);
            int bytes = _stride0 * sizeof(int);
            for (int offset = 0; offset < bytes; offset += 64)
            {
                Sse.Prefetch0(list + offset);
            }
            Sse.Prefetch0(list + bytes - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Prefetch(BlockTable table, int slot)
    {
        if (Sse.IsSupported && (uint)slot < (uint)table.Capacity)
        {
            Sse.Prefetch0(NodeOf(table, slot));
        }
    }
}
