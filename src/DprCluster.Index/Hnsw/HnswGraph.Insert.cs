using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

internal sealed unsafe partial class HnswGraph
{
    /// <summary>Adds or replaces <paramref name="id"/> with this graph's kernels (see <see cref="AddWith{TDistance}"/>).</summary>
    public void Add(long id, ReadOnlySpan<float> vector, SearchContext context)
    {
        switch (_kind)
        {
            case DistanceKind.L2: AddWith<SquaredEuclidean>(id, vector, context); break;
            case DistanceKind.Sq8Dot: AddWith<Sq8NegativeDot>(id, vector, context); break;
            case DistanceKind.Sq8L2: AddWith<Sq8SquaredEuclidean>(id, vector, context); break;
            default: AddWith<NegativeDot>(id, vector, context); break;
        }
    }

    /// <summary>Adds many new ids in parallel with this graph's kernels (see <see cref="AddNewWith{TDistance}"/>).</summary>
    public void AddNew(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, int threads, SearchContextPool pool, IProgress<int>? progress)
    {
        switch (_kind)
        {
            case DistanceKind.L2: AddNewWith<SquaredEuclidean>(ids, vectors, threads, pool, progress); break;
            case DistanceKind.Sq8Dot: AddNewWith<Sq8NegativeDot>(ids, vectors, threads, pool, progress); break;
            case DistanceKind.Sq8L2: AddNewWith<Sq8SquaredEuclidean>(ids, vectors, threads, pool, progress); break;
            default: AddNewWith<NegativeDot>(ids, vectors, threads, pool, progress); break;
        }
    }

    /// <summary>
    /// Adds <paramref name="id"/>, or replaces its vector when present. A replaced or new node takes a deleted slot
    /// when one is free, so memory stays bounded under add/delete churn. Single writer.
    /// </summary>
    private void AddWith<TDistance>(long id, ReadOnlySpan<float> vector, SearchContext context) where TDistance : struct, IDistance
    {
        Remove(id);
        int slot;
        BlockTable table;
        if (!ReuseSuspended && _freeSlots.TryPop(out slot))
        {
            table = _table;
            DetachForReuse<TDistance>(table, slot, context);
        }
        else
        {
            slot = _count;
            EnsureCapacity(slot + 1);
            table = _table;
            AssignLevel(table, slot, DrawLevel());
            Volatile.Write(ref _count, slot + 1);
        }
        StoreNode(table, slot, id, vector);
        Insert<TDistance>(table, slot, context);
        _slotsById[id] = slot;
        if (IsDeleted(table, slot))
        {
            Volatile.Write(ref *FlagOf(table, slot), 0);
            Volatile.Write(ref _deletedCount, _deletedCount - 1);
        }
    }

    /// <summary>Marks <paramref name="id"/> deleted: never returned again, still walked through until its slot is reused.</summary>
    public bool Remove(long id)
    {
        if (!_slotsById.Remove(id, out int slot))
        {
            return false;
        }
        Volatile.Write(ref *FlagOf(_table, slot), NodeBlock.DeletedFlag);
        Volatile.Write(ref _deletedCount, _deletedCount + 1);
        _freeSlots.Push(slot);
        return true;
    }

    /// <summary>
    /// Adds many new ids with <paramref name="threads"/> concurrent inserters (the construction hnswlib runs per
    /// thread). Levels are drawn in input order, so a one-thread build is fully reproducible. Ids must be new and
    /// distinct; the graph must have no free slots.
    /// </summary>
    private void AddNewWith<TDistance>(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors, int threads, SearchContextPool pool,
        IProgress<int>? progress) where TDistance : struct, IDistance
    {
        int start = _count;
        int n = ids.Length;
        EnsureCapacity(start + n);
        BlockTable table = _table;
        for (int i = 0; i < n; i++)
        {
            AssignLevel(table, start + i, DrawLevel());
            StoreNode(table, start + i, ids[i], vectors.Slice(i * Dimensions, Dimensions));
        }
        Volatile.Write(ref _count, start + n);

        int next = 0;
        int done = 0;
        void Run()
        {
            SearchContext context = pool.Rent();
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref next) - 1) < n)
                {
                    Insert<TDistance>(table, start + i, context);
                    int finished = Interlocked.Increment(ref done);
                    if (progress is not null && (finished & 4095) == 0)
                    {
                        progress.Report(finished);
                    }
                }
            }
            finally
            {
                // The inserters are threads of this call: a context left in their thread cache would die with them.
                pool.ReturnShared(context);
            }
        }

        if (threads <= 1 || n < 2 * threads)
        {
            Run();
        }
        else
        {
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(Run) { IsBackground = true, Name = "hnsw-build" };
                workers[t].Start();
            }
            foreach (Thread worker in workers)
            {
                worker.Join();
            }
        }
        for (int i = 0; i < n; i++)
        {
            _slotsById[ids[i]] = start + i;
        }
        progress?.Report(n);
    }

    /// <summary>Links the already stored node <paramref name="slot"/> into every layer up to its level.</summary>
    private void Insert<TDistance>(BlockTable table, int slot, SearchContext context) where TDistance : struct, IDistance
    {
        int level = LevelOf(table, slot);
        context.EnsureShape(Dimensions, M0 + 1, Math.Max(Options.EfConstruction, M0) + 1);
        long entry = Volatile.Read(ref _entry);
        bool raisesTop = level > EntryLevel(entry);
        if (raisesTop)
        {
            // A node that becomes the new top holds the entry lock for its whole insert (as hnswlib does), so two
            // nodes racing to the top cannot both believe they are alone up there.
            Monitor.Enter(_entryLock);
            entry = Volatile.Read(ref _entry);
            raisesTop = level > EntryLevel(entry);
            if (!raisesTop)
            {
                Monitor.Exit(_entryLock);
            }
        }
        try
        {
            int entrySlot = EntrySlot(entry);
            if (entrySlot >= 0 && entrySlot != slot)
            {
                float* q = InsertQuery<TDistance>(table, slot, context);
                int topLevel = EntryLevel(entry);
                int current = DescendToLevel<TDistance>(table, q, entrySlot, topLevel, level, context);
                int lowest = Math.Min(level, topLevel);
                context.EnsureLayers(lowest + 1, M);
                // First every layer's own list, then the back-links: a concurrent inserter that reaches this node
                // through a back-link never finds it without its lower-layer lists (hnswlib links layer by layer).
                for (int layer = lowest; layer >= 0; layer--)
                {
                    SearchLayer<TDistance>(table, q, current, Options.EfConstruction, layer, liveOnly: false, context);
                    int candidates = DrainCandidates(context, slot);
                    int selected = 0;
                    if (candidates > 0)
                    {
                        current = context.CandidateNodes[0];
                        selected = SelectNeighbors<TDistance>(table, context.CandidateDistances, context.CandidateNodes,
                            candidates, M, context.Selected, context.SelectedDistances, context.CandidateQueryPointer);
                        WriteList(ListOf(table, slot, layer), context.Selected.AsSpan(0, selected));
                    }
                    context.SaveLayer(layer, M, context.Selected.AsSpan(0, selected), context.SelectedDistances.AsSpan(0, selected));
                }
                for (int layer = lowest; layer >= 0; layer--)
                {
                    int count = context.LayerCounts[layer];
                    for (int i = 0; i < count; i++)
                    {
                        LinkBack<TDistance>(table, context.LayerNodes[layer * M + i], slot, context.LayerDistances[layer * M + i], layer, context);
                    }
                }
            }
            if (raisesTop)
            {
                Volatile.Write(ref _entry, PackEntry(slot, level));
            }
        }
        finally
        {
            if (raisesTop)
            {
                Monitor.Exit(_entryLock);
            }
        }
    }

    /// <summary>
    /// The node being inserted as a query: its floats, or under SQ8 its full-precision original prepared against
    /// the codes (more exact than its own codes). Points into pinned node storage or the context's pinned scratch.
    /// </summary>
    private float* InsertQuery<TDistance>(BlockTable table, int slot, SearchContext context) where TDistance : struct, IDistance
    {
        if (!TDistance.Quantized)
        {
            return TDistance.NodeAsQuery(NodeOf(table, slot), null, null, Dimensions);
        }
        _originals!.Read(slot, context.Original);
        return TDistance.Prepare(context.OriginalPointer, context.PreparedPointer, _range, Dimensions);
    }

    /// <summary>Moves the layer search's results, nearest first and without <paramref name="self"/>, into the candidate buffers.</summary>
    private static int DrainCandidates(SearchContext context, int self)
    {
        int n = context.Results.DrainAscending(context.CandidateDistances, context.CandidateNodes);
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            if (context.CandidateNodes[i] != self)
            {
                context.CandidateNodes[kept] = context.CandidateNodes[i];
                context.CandidateDistances[kept] = context.CandidateDistances[i];
                kept++;
            }
        }
        return kept;
    }

    /// <summary>
    /// The paper's heuristic (Algorithm 4): walk candidates nearest first and keep one only when it is closer to the
    /// base than to every node already kept, which spreads links across directions and keeps clusters connected.
    /// </summary>
    private int SelectNeighbors<TDistance>(BlockTable table, float[] distances, int[] nodes, int count, int max,
        int[] selected, float[] selectedDistances, float* scratch) where TDistance : struct, IDistance
    {
        int kept = 0;
        Sq8Range? range = _range;
        for (int i = 0; i < count && kept < max; i++)
        {
            int candidate = nodes[i];
            float* candidateVector = TDistance.NodeAsQuery(NodeOf(table, candidate), scratch, range, Dimensions);
            bool keep = true;
            for (int j = 0; j < kept; j++)
            {
                if (TDistance.Compute(candidateVector, NodeOf(table, selected[j]), Dimensions) < distances[i])
                {
                    keep = false;
                    break;
                }
            }
            if (keep)
            {
                selected[kept] = candidate;
                selectedDistances[kept] = distances[i];
                kept++;
            }
        }
        return kept;
    }

    /// <summary>Adds <paramref name="newNode"/> to the list of <paramref name="node"/>, re-selecting when it is full.</summary>
    private void LinkBack<TDistance>(BlockTable table, int node, int newNode, float distance, int level, SearchContext context)
        where TDistance : struct, IDistance
    {
        int maxLinks = MaxLinks(level);
        int* list = ListOf(table, node, level);
        LockList(list);
        try
        {
            int count = list[1];
            int* neighbors = list + ListHeader;
            for (int i = 0; i < count; i++)
            {
                if (neighbors[i] == newNode)
                {
                    return;
                }
            }
            if (count < maxLinks)
            {
                neighbors[count] = newNode;
                list[1] = count + 1;
                return;
            }
            float* baseVector = TDistance.NodeAsQuery(NodeOf(table, node), context.BaseQueryPointer, _range, Dimensions);
            Span<float> distances = context.PruneDistances;
            Span<int> nodes = context.PruneNodes;
            for (int i = 0; i < count; i++)
            {
                nodes[i] = neighbors[i];
                distances[i] = TDistance.Compute(baseVector, NodeOf(table, neighbors[i]), Dimensions);
            }
            nodes[count] = newNode;
            distances[count] = distance;
            SortByDistance(distances[..(count + 1)], nodes[..(count + 1)]);
            int kept = SelectNeighbors<TDistance>(table, context.PruneDistances, context.PruneNodes, count + 1, maxLinks,
                context.PruneSelected, context.PruneSelectedDistances, context.CandidateQueryPointer);
            context.PruneSelected.AsSpan(0, kept).CopyTo(new Span<int>(neighbors, kept));
            list[1] = kept;
        }
        finally
        {
            UnlockList(list);
        }
    }

    /// <summary>Insertion sort: the lists are at most 2·M + 1 long and mostly sorted.</summary>
    private static void SortByDistance(Span<float> distances, Span<int> nodes)
    {
        for (int i = 1; i < distances.Length; i++)
        {
            float d = distances[i];
            int node = nodes[i];
            int j = i - 1;
            while (j >= 0 && distances[j] > d)
            {
                distances[j + 1] = distances[j];
                nodes[j + 1] = nodes[j];
                j--;
            }
            distances[j + 1] = d;
            nodes[j + 1] = node;
        }
    }

    /// <summary>
    /// Before a deleted slot takes a new vector, every former neighbour of it re-selects its list from its own
    /// neighbours and the slot's, minus the slot (hnswlib's update repair); then the slot's own lists are cleared.
    /// Links from nodes that were not its neighbours stay and simply act as one more long-range edge.
    /// </summary>
    private void DetachForReuse<TDistance>(BlockTable table, int slot, SearchContext context) where TDistance : struct, IDistance
    {
        context.EnsureShape(Dimensions, M0 + 1, Math.Max(Options.EfConstruction, M0) + 1);
        int level = LevelOf(table, slot);
        if (EntrySlot(_entry) == slot)
        {
            HandOverEntry(table, slot, level);
        }
        Span<int> former = stackalloc int[M0];
        for (int layer = 0; layer <= level; layer++)
        {
            int maxLinks = MaxLinks(layer);
            int* slotList = ListOf(table, slot, layer);
            int formerCount = slotList[1];
            new Span<int>(slotList + ListHeader, formerCount).CopyTo(former);
            for (int f = 0; f < formerCount; f++)
            {
                int node = former[f];
                if (node == slot)
                {
                    continue;
                }
                int* list = ListOf(table, node, layer);
                float* baseVector = TDistance.NodeAsQuery(NodeOf(table, node), context.BaseQueryPointer, _range, Dimensions);
                Span<float> distances = context.PruneDistances;
                Span<int> nodes = context.PruneNodes;
                int count = 0;
                int own = list[1];
                for (int i = 0; i < own; i++)
                {
                    count = AddCandidate<TDistance>(table, baseVector, list[ListHeader + i], node, slot, nodes, distances, count);
                }
                for (int i = 0; i < formerCount; i++)
                {
                    count = AddCandidate<TDistance>(table, baseVector, former[i], node, slot, nodes, distances, count);
                }
                SortByDistance(distances[..count], nodes[..count]);
                int kept = SelectNeighbors<TDistance>(table, context.PruneDistances, context.PruneNodes, count, maxLinks,
                    context.PruneSelected, context.PruneSelectedDistances, context.CandidateQueryPointer);
                WriteList(list, context.PruneSelected.AsSpan(0, kept));
            }
            WriteList(slotList, []);
        }
    }

    /// <summary>
    /// The entry point is about to be reused: a neighbour on its highest non-empty layer becomes the entry (no other
    /// node can sit above that layer), or none when it was alone. Its own re-insert then raises the top again.
    /// </summary>
    private void HandOverEntry(BlockTable table, int slot, int level)
    {
        for (int layer = level; layer >= 0; layer--)
        {
            int* list = ListOf(table, slot, layer);
            if (list[1] > 0)
            {
                int heir = list[ListHeader];
                Volatile.Write(ref _entry, PackEntry(heir, LevelOf(table, heir)));
                return;
            }
        }
        Volatile.Write(ref _entry, PackEntry(-1, -1));
    }

    private int AddCandidate<TDistance>(BlockTable table, float* baseVector, int candidate, int self, int excluded,
        Span<int> nodes, Span<float> distances, int count) where TDistance : struct, IDistance
    {
        if (candidate == self || candidate == excluded || nodes[..count].Contains(candidate))
        {
            return count;
        }
        nodes[count] = candidate;
        distances[count] = TDistance.Compute(baseVector, NodeOf(table, candidate), Dimensions);
        return count + 1;
    }
}
