namespace DprCluster.Text.Fusion;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): each document scores Σ 1 / (k + rank) over the lists
/// that contain it, rank counted from 1 in each list's given order. Scores are ignored, so lists on any scale fuse
/// (the hybrid default of Elasticsearch, Qdrant and Weaviate).
/// </summary>
public static class ReciprocalRankFusion
{
    /// <summary>The constant of the original paper and of most engines.</summary>
    public const int DefaultK = 60;

    /// <summary>Fuses ranked lists (each best first) and returns the best <paramref name="topK"/>.</summary>
    public static List<ScoredHit> Fuse(IReadOnlyList<IReadOnlyList<ScoredHit>> rankings, int topK, int k = DefaultK)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var fused = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (IReadOnlyList<ScoredHit> ranking in rankings)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < ranking.Count; i++)
            {
                string id = ranking[i].Id;
                if (seen.Add(id))
                {
                    fused[id] = fused.GetValueOrDefault(id) + 1.0 / (k + i + 1);
                }
            }
        }
        return RankOrder.TopK(fused, topK);
    }
}
