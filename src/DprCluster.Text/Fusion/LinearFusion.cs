namespace DprCluster.Text.Fusion;

/// <summary>
/// Weighted linear fusion over the union of several ranked lists: score = Σ wᵢ · norm(sᵢ). A document missing from a
/// list gets that list's lowest normalised score — the best value it could have had there, and Pyserini's hybrid
/// convention. DPR's hybrid is <see cref="DprHybrid"/>.
/// </summary>
public static class LinearFusion
{
    /// <summary>Fuses the lists with one weight each and returns the best <paramref name="topK"/>.</summary>
    public static List<ScoredHit> Fuse(
        IReadOnlyList<IReadOnlyList<ScoredHit>> lists, IReadOnlyList<float> weights, ScoreNormalization normalization, int topK)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        if (weights.Count != lists.Count)
        {
            throw new ArgumentException($"{lists.Count} lists need {lists.Count} weights, got {weights.Count}.", nameof(weights));
        }

        var normalized = new Dictionary<string, double>[lists.Count];
        var floors = new double[lists.Count];
        var union = new HashSet<string>(StringComparer.Ordinal);
        for (int l = 0; l < lists.Count; l++)
        {
            normalized[l] = Normalize(lists[l], normalization, out floors[l]);
            union.UnionWith(normalized[l].Keys);
        }

        var fused = new Dictionary<string, double>(union.Count, StringComparer.Ordinal);
        foreach (string id in union)
        {
            double score = 0;
            for (int l = 0; l < lists.Count; l++)
            {
                score += weights[l] * normalized[l].GetValueOrDefault(id, floors[l]);
            }
            fused[id] = score;
        }
        return RankOrder.TopK(fused, topK);
    }

    /// <summary>
    /// Dense weight of <see cref="Normalized"/>, chosen on SciFact's train queries with all-MiniLM-L6-v2 among
    /// 0.5–3 (tests/benchmarks/tune_fusion.py); RRF with k from 5 to 100 scored lower there.
    /// </summary>
    public const float TunedDenseWeight = 0.75f;

    /// <summary>Min-max normalised BM25 + <paramref name="denseWeight"/> · normalised dense over the union of both lists.</summary>
    public static List<ScoredHit> Normalized(
        IReadOnlyList<ScoredHit> bm25, IReadOnlyList<ScoredHit> dense, int topK, float denseWeight = TunedDenseWeight) =>
        Fuse([bm25, dense], [1f, denseWeight], ScoreNormalization.MinMax, topK);

    /// <summary>DPR's hybrid (Karpukhin et al., 2020): BM25 + 1.1 · dense over the union of both lists, raw scores.</summary>
    public static List<ScoredHit> DprHybrid(
        IReadOnlyList<ScoredHit> bm25, IReadOnlyList<ScoredHit> dense, int topK, float denseWeight = 1.1f) =>
        Fuse([bm25, dense], [1f, denseWeight], ScoreNormalization.None, topK);

    // The list's normalised scores (a repeated id keeps its best) and the lowest of them.
    private static Dictionary<string, double> Normalize(
        IReadOnlyList<ScoredHit> list, ScoreNormalization normalization, out double floor)
    {
        var raw = new Dictionary<string, double>(list.Count, StringComparer.Ordinal);
        foreach (ScoredHit hit in list)
        {
            if (!float.IsFinite(hit.Score))
            {
                throw new ArgumentException($"score of '{hit.Id}' is not a finite number.", nameof(list));
            }
            if (!raw.TryGetValue(hit.Id, out double existing) || hit.Score > existing)
            {
                raw[hit.Id] = hit.Score;
            }
        }
        if (raw.Count == 0)
        {
            floor = 0;
            return raw;
        }
        double min = double.MaxValue;
        double max = double.MinValue;
        double sum = 0;
        foreach (double s in raw.Values)
        {
            min = Math.Min(min, s);
            max = Math.Max(max, s);
            sum += s;
        }
        double mean = sum / raw.Count;
        double squares = 0;
        foreach (double s in raw.Values)
        {
            squares += (s - mean) * (s - mean);
        }
        double deviation = Math.Sqrt(squares / raw.Count);

        bool degenerate = normalization != ScoreNormalization.None && !(max > min && deviation > 0);
        Func<double, double> map = normalization switch
        {
            _ when degenerate => static _ => 1,
            ScoreNormalization.None => static s => s,
            ScoreNormalization.MinMax => s => (s - min) / (max - min),
            ScoreNormalization.ZScore => s => (s - mean) / deviation,
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "unknown normalisation"),
        };
        var result = new Dictionary<string, double>(raw.Count, StringComparer.Ordinal);
        foreach ((string id, double s) in raw)
        {
            result[id] = map(s);
        }
        floor = degenerate ? 0 : map(min);
        return result;
    }
}
