namespace DprCluster.Text.Fusion;

/// <summary>The order every ranked list in this library follows: score descending, then id ascending (ordinal).</summary>
internal static class RankOrder
{
    public static int Compare(ScoredHit x, ScoredHit y)
    {
        int byScore = y.Score.CompareTo(x.Score);
        return byScore != 0 ? byScore : string.CompareOrdinal(x.Id, y.Id);
    }

    /// <summary>The best <paramref name="k"/> of the scored ids, in rank order.</summary>
    public static List<ScoredHit> TopK<TScore>(IReadOnlyDictionary<string, TScore> scores, int k)
        where TScore : IConvertible
    {
        var hits = new List<ScoredHit>(scores.Count);
        foreach ((string id, TScore score) in scores)
        {
            hits.Add(new ScoredHit(id, score.ToSingle(null)));
        }
        hits.Sort(Compare);
        if (hits.Count > k)
        {
            hits.RemoveRange(k, hits.Count - k);
        }
        return hits;
    }
}
