namespace DprCluster.Text.Fusion;

/// <summary>
/// Merges ranked lists whose scores share one scale — per-shard top-k lists of the same query — into one top-k:
/// highest score first, equal scores by ordinal id, a repeated id counted once (at its best position). Each input
/// must already be in that order, as <see cref="Bm25.Bm25Index"/> returns it; a k-way merge then touches only the
/// entries it emits. With shard lists searched under cluster-wide statistics this yields exactly the unsharded top-k.
/// </summary>
public static class RankedListMerge
{
    /// <summary>The best <paramref name="k"/> hits across <paramref name="lists"/>.</summary>
    public static List<ScoredHit> Merge(IReadOnlyList<IReadOnlyList<ScoredHit>> lists, int k)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var heads = new PriorityQueue<(int List, int Position), ScoredHit>(lists.Count, Comparer<ScoredHit>.Create(RankOrder.Compare));
        for (int l = 0; l < lists.Count; l++)
        {
            if (lists[l].Count > 0)
            {
                heads.Enqueue((l, 0), lists[l][0]);
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
            IReadOnlyList<ScoredHit> list = lists[head.List];
            int next = head.Position + 1;
            if (next < list.Count)
            {
                if (RankOrder.Compare(list[next], hit) < 0)
                {
                    throw new ArgumentException($"List {head.List} is not in rank order at position {next}.", nameof(lists));
                }
                heads.Enqueue((head.List, next), list[next]);
            }
        }
        return merged;
    }
}
