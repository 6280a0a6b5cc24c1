using DprCluster.Abstractions;
using DprCluster.Text;

namespace DprCluster.Grains.Coordinator;

/// <summary>
/// The cluster's top-k of one kind of shard hits (dense or BM25): a k-way merge over the shards' lists in the order
/// every ranked list follows (score descending, then ordinal id), an id repeated across shards counted once at its
/// best position. It walks the shards' arrays in place and touches an id's text only to break a tie or to check for a
/// repeat among the k kept: it runs once per query, over S·k hits of which k survive.
/// </summary>
internal static class ShardListMerge
{
    /// <summary>The best <paramref name="k"/> hits with the shard each came from.</summary>
    public static List<(ScoredHit Hit, int Shard)> Merge(ShardSearchResponse?[] responses, bool bm25, int k)
    {
        var lists = new ShardHit[responses.Length][];
        var cursors = new int[responses.Length];
        for (int s = 0; s < responses.Length; s++)
        {
            ShardHit[] hits = responses[s] is { } response ? (bm25 ? response.Bm25 : response.Dense) : [];
            lists[s] = InRankOrder(hits);
        }
        var merged = new List<(ScoredHit Hit, int Shard)>(Math.Min(k, 1024));
        HashSet<string>? kept = k > LinearCheckLimit ? new HashSet<string>(StringComparer.Ordinal) : null;
        while (merged.Count < k)
        {
            int best = -1;
            for (int s = 0; s < lists.Length; s++)
            {
                if (cursors[s] < lists[s].Length && (best < 0 || Compare(lists[s][cursors[s]], lists[best][cursors[best]]) < 0))
                {
                    best = s;
                }
            }
            if (best < 0)
            {
                break;
            }
            ShardHit hit = lists[best][cursors[best]++];
            if (kept is null ? !Contains(merged, hit.Id) : kept.Add(hit.Id))
            {
                merged.Add((new ScoredHit(hit.Id, hit.Score), responses[best]!.ShardId));
            }
        }
        return merged;
    }

    /// <summary>Up to this k a repeat is looked for among the kept hits directly, cheaper than hashing every id.</summary>
    private const int LinearCheckLimit = 32;

    private static bool Contains(List<(ScoredHit Hit, int Shard)> merged, string id)
    {
        foreach ((ScoredHit hit, int _) in merged)
        {
            if (string.Equals(hit.Id, id, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static int Compare(ShardHit x, ShardHit y)
    {
        int byScore = y.Score.CompareTo(x.Score);
        return byScore != 0 ? byScore : string.CompareOrdinal(x.Id, y.Id);
    }

    /// <summary>The list itself when already in rank order (the usual case), else a sorted copy.</summary>
    private static ShardHit[] InRankOrder(ShardHit[] hits)
    {
        for (int i = 1; i < hits.Length; i++)
        {
            if (Compare(hits[i - 1], hits[i]) > 0)
            {
                var sorted = (ShardHit[])hits.Clone();
                Array.Sort(sorted, Compare);
                return sorted;
            }
        }
        return hits;
    }
}
