namespace DprCluster.Text.Metrics;

/// <summary>The per-query retrieval measures <see cref="JudgedRanking"/> computes.</summary>
public enum MeasureKind
{
    /// <summary>nDCG@k (trec_eval ndcg_cut).</summary>
    Ndcg,

    /// <summary>Recall@k.</summary>
    Recall,

    /// <summary>Reciprocal rank cut at k (MRR@k once averaged).</summary>
    ReciprocalRank,

    /// <summary>Average precision cut at k (MAP@k once averaged; trec_eval map_cut).</summary>
    AveragePrecision,
}

/// <summary>A measure at a cut-off, e.g. nDCG@10.</summary>
public readonly record struct RetrievalMeasure(MeasureKind Kind, int Cutoff)
{
    /// <summary>The measures BEIR and the <c>eval</c> command report: nDCG@10, Recall@100, MRR@10, MAP@100.</summary>
    public static IReadOnlyList<RetrievalMeasure> BeirDefaults { get; } =
    [
        new(MeasureKind.Ndcg, 10),
        new(MeasureKind.Recall, 100),
        new(MeasureKind.ReciprocalRank, 10),
        new(MeasureKind.AveragePrecision, 100),
    ];

    /// <summary>Conventional name: nDCG@10, Recall@100, MRR@10, MAP@100.</summary>
    public string Name => Kind switch
    {
        MeasureKind.Ndcg => $"nDCG@{Cutoff}",
        MeasureKind.Recall => $"Recall@{Cutoff}",
        MeasureKind.ReciprocalRank => $"MRR@{Cutoff}",
        MeasureKind.AveragePrecision => $"MAP@{Cutoff}",
        _ => Kind.ToString(),
    };

    /// <summary>The measure's value for one query.</summary>
    public double Of(JudgedRanking ranking)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        return Kind switch
        {
            MeasureKind.Ndcg => ranking.NdcgAt(Cutoff),
            MeasureKind.Recall => ranking.RecallAt(Cutoff),
            MeasureKind.ReciprocalRank => ranking.ReciprocalRankAt(Cutoff),
            MeasureKind.AveragePrecision => ranking.AveragePrecisionAt(Cutoff),
            _ => throw new InvalidOperationException($"unknown measure {Kind}"),
        };
    }
}
