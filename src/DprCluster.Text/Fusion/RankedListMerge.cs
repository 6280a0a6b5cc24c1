namespace DprCluster.Text.Fusion;

/// <summary>
/// Merges ranked lists whose scores share one scale — per-shard top-k lists of the same query — into one top-k:
/// highest score first, equal scores by ordinal id, a repeated id counted once with its best score. With shard
/// lists from <see cref="Bm25.Bm25Index.Search(Bm25.Bm25Query, int, Bm25.Bm25Statistics?)"/> under cluster-wide
/// statistics this yields exactly the unsharded top-k.
/// </summary>
public static class RankedListMerge
{
    /// <summary>The best <paramref name="k"/> hits across <paramref name="lists"/>.</summary>
    public static List<ScoredHit> Merge(IReadOnlyList<IReadOnlyList<ScoredHit>> lists, int k)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var best = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (IReadOnlyList<ScoredHit> list in lists)
        {
            foreach (ScoredHit hit in list)
            {
                if (!best.TryGetValue(hit.Id, out float score) || hit.Score > score)
                {
                    best[hit.Id] = hit.Score;
                }
            }
        }
        return RankOrder.TopK(best, k);
    }
}
