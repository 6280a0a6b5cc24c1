using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

internal sealed unsafe partial class HnswGraph
{
    /// <summary>
    /// Top-k search: greedy descent through the upper layers, then a beam of width max(ef, k) on layer 0 that skips
    /// deleted nodes as results but walks through them, and keeps going until it holds ef live results or runs out of
    /// candidates, so many deletions near the query never starve the top-k.
    /// </summary>
    public int Search<TDistance>(ReadOnlySpan<float> query, int k, int ef, Span<SearchHit> results, SearchContext context)
        where TDistance : struct, IDistance
    {
        BlockTable table = _table;
        long entry = Volatile.Read(ref _entry);
        int entrySlot = EntrySlot(entry);
        if (entrySlot < 0 || k <= 0)
        {
            return 0;
        }
        context.EnsureShape(Dimensions, M0, 0);
        context.ScoredNodes = 0;
        fixed (float* q = query)
        {
            int current = DescendToLevel<TDistance>(table, q, entrySlot, EntryLevel(entry), 0, context);
            SearchLayer<TDistance>(table, q, current, Math.Max(ef, k), 0, liveOnly: true, context);
        }
        DistanceHeap best = context.Results;
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

    /// <summary>
    /// Exact top-k over every live node, ignoring the links: the reference a search's recall is measured against.
    /// A node written while the scan passes may be scored against a half-written vector; callers use this for
    /// estimates, not answers.
    /// </summary>
    public int SearchExact<TDistance>(ReadOnlySpan<float> query, int k, Span<SearchHit> results, SearchContext context)
        where TDistance : struct, IDistance
    {
        BlockTable table = _table;
        int slots = Math.Min(SlotCount, table.Capacity);
        DistanceHeap best = context.Results;
        best.Clear();
        fixed (float* q = query)
        {
            for (int slot = 0; slot < slots; slot++)
            {
                if (IsDeleted(table, slot))
                {
                    continue;
                }
                float distance = TDistance.Compute(ref *q, ref *VectorOf(table, slot), Dimensions);
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
        float currentDistance = TDistance.Compute(ref *q, ref *VectorOf(table, current), Dimensions);
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
                        float distance = TDistance.Compute(ref *q, ref *VectorOf(table, candidate), Dimensions);
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

        float entryDistance = TDistance.Compute(ref *q, ref *VectorOf(table, entry), Dimensions);
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
                for (int i = 0; i < count; i++)
                {
                    int neighbor = neighbors[i];
                    if (!visited.TryVisit(neighbor))
                    {
                        continue;
                    }
                    if (i + 1 < count)
                    {
                        Prefetch(table, neighbors[i + 1]);
                    }
                    float distance = TDistance.Compute(ref *q, ref *VectorOf(table, neighbor), Dimensions);
                    context.ScoredNodes++;
                    if (results.Count < ef || distance < bound)
                    {
                        candidates.Push(-distance, neighbor);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Prefetch(BlockTable table, int slot)
    {
        if (Sse.IsSupported && (uint)slot < (uint)table.Capacity)
        {
            Sse.Prefetch0(VectorOf(table, slot));
        }
    }
}
