namespace DprCluster.Text.Metrics;

/// <summary>
/// DPR's top-k retrieval accuracy: the fraction of questions with at least one answer-bearing passage among the
/// first k retrieved.
/// </summary>
public static class AnswerAccuracy
{
    /// <summary>The cut-offs the DPR paper and the <c>eval --qa</c> command report.</summary>
    public static IReadOnlyList<int> DprCutoffs { get; } = [1, 5, 20, 100];

    /// <summary>
    /// Accuracy at each cut-off, given for every question the 1-based rank of its first answer-bearing passage
    /// (0 when none was retrieved).
    /// </summary>
    public static Dictionary<int, double> TopK(IReadOnlyList<int> firstAnswerRanks, IReadOnlyList<int> cutoffs)
    {
        ArgumentNullException.ThrowIfNull(firstAnswerRanks);
        ArgumentNullException.ThrowIfNull(cutoffs);
        var accuracy = new Dictionary<int, double>();
        foreach (int k in cutoffs)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(k, 1, nameof(cutoffs));
            int hits = 0;
            foreach (int rank in firstAnswerRanks)
            {
                hits += rank >= 1 && rank <= k ? 1 : 0;
            }
            accuracy[k] = firstAnswerRanks.Count == 0 ? 0 : (double)hits / firstAnswerRanks.Count;
        }
        return accuracy;
    }
}
