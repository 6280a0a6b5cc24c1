namespace DprCluster.Text.Fusion;

/// <summary>
/// Merges ranked lists whose scores share one scale — per-shard top-k lists of the same query — into one top-k:
/// highest score first, equal scores by ordinal id, a repeated id counted once (at its best position). Lists already
/// in that order (as <see cref="Bm25.Bm25Index"/> returns them) are merged k-way without copying; any other list is
/// sorted first. With shard lists searched under cluster-wide statistics this yields exactly the unsharded top-k.
/// </summary>
public static class RankedListMerge
{
    /// <summary>The best <paramref name="k"/> hits across <paramref name="lists"/>.</summary>
    public static List<ScoredHit> Merge(IReadOnlyList<IReadOnlyList<ScoredHit>> lists, int k)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var ordered = new IReadOnlyList<ScoredHit>[lists.Count];
        var heads = new PriorityQueue<(int List, int Position), ScoredHit>(lists.Count, Comparer<ScoredHit>.Create(RankOrder.Compare));
        for (int l = 0; l < lists.Count; l++)
        {
            ordered[l] = InRankOrder(lists[l]);
            if (ordered[l].Count > 0)
            {
                heads.Enqueue((l, 0), ordered[l][0]);
            }
        }
        var merged = new List<ScoredHit>(Math.Min(k, 1024));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (merged.Count < k && heads.TryDequeue(out (int List, int Position) head, out ScoredHit hit))
        {
            if (seen.Add(hit.Id))
            {
                merged.Add(hit);
            }
            IReadOnlyList<ScoredHit> list = ordered[head.List];
            int next = head.Position + 1;
            if (next < list.Count)
            {
                heads.Enqueue((head.List, next), list[next]);
            }
        }
        return merged;
    }

    private static IReadOnlyList<ScoredHit> InRankOrder(IReadOnlyList<ScoredHit> list)
    {
        for (int i = 1; i < list.Count; i++)
        {
            if (RankOrder.Compare(list[i - 1], list[i]) > 0)
            {
                var sorted = new List<ScoredHit>(list);
                sorted.Sort(RankOrder.Compare);
                return sorted;
            }
        }
        return list;
    }
}
