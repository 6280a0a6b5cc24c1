using DprCluster.Index.Vectors;

namespace DprCluster.Index.Hnsw;

public sealed partial class HnswIndex
{
    /// <summary>Live vectors copied per step of a rebuild: bounds the extra memory a compaction needs.</summary>
    private const int CompactionChunk = 8192;

    /// <summary>
    /// Rebuilds the graph from its live nodes when deleted nodes make up more than <paramref name="tombstoneRatio"/>
    /// of the slots. Slot reuse already bounds memory; this restores the graph quality that long churn wears down
    /// (hnswlib#4). Searches keep running on the old graph and switch atomically. Returns true when it rebuilt.
    /// </summary>
    /// <param name="tombstoneRatio">Deleted / slots above which to rebuild, in [0, 1).</param>
    /// <param name="threads">Build threads; 0 = every core.</param>
    public bool Compact(double tombstoneRatio = 0.2, int threads = 0)
    {
        if (tombstoneRatio is < 0 or >= 1 || double.IsNaN(tombstoneRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(tombstoneRatio), tombstoneRatio, "Must be in [0, 1).");
        }
        threads = threads <= 0 ? Environment.ProcessorCount : threads;
        lock (_writeLock)
        {
            HnswGraph old = _graph;
            if (old.DeletedCount == 0 || old.DeletedCount <= tombstoneRatio * old.SlotCount)
            {
                return false;
            }
            var rebuilt = new HnswGraph(old.Options);
            var ids = new long[CompactionChunk];
            var vectors = new float[CompactionChunk * Dimensions];
            int pending = 0;
            for (int slot = 0; slot < old.SlotCount; slot++)
            {
                if (old.IsDeletedSlot(slot))
                {
                    continue;
                }
                ids[pending] = old.IdOf(slot);
                old.CopyVector(slot, vectors.AsSpan(pending * Dimensions, Dimensions));
                if (++pending == CompactionChunk)
                {
                    AddChunk(rebuilt, ids, vectors, pending, threads);
                    pending = 0;
                }
            }
            AddChunk(rebuilt, ids, vectors, pending, threads);
            _graph = rebuilt;
            return true;
        }
    }

    private void AddChunk(HnswGraph graph, long[] ids, float[] vectors, int count, int threads)
    {
        if (count == 0)
        {
            return;
        }
        ReadOnlySpan<long> chunkIds = ids.AsSpan(0, count);
        ReadOnlySpan<float> chunkVectors = vectors.AsSpan(0, count * Dimensions);
        if (Metric == Metric.L2)
        {
            graph.AddNew<SquaredEuclidean>(chunkIds, chunkVectors, threads, _contexts, null);
        }
        else
        {
            graph.AddNew<NegativeDot>(chunkIds, chunkVectors, threads, _contexts, null);
        }
    }
}
