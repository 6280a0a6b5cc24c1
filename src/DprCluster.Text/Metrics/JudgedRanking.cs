namespace DprCluster.Text.Metrics;

/// <summary>
/// One query's run joined with its judgements, with trec_eval's semantics: documents are ranked by score descending,
/// ties broken by document id in descending order (trec_eval ignores the run's own ranks); a document is relevant at
/// grade ≥ 1; unjudged documents are non-relevant; cut-offs beyond the run's length count missing documents as
/// non-relevant. Values match <c>trec_eval -m ndcg_cut.k / recall.k / map_cut.k</c> and BEIR's MRR@k.
/// </summary>
public sealed class JudgedRanking
{
    private readonly int[] _grades;
    private readonly int[] _idealGains;
    private readonly int _relevantCount;

    private JudgedRanking(int[] grades, int[] idealGains, int relevantCount)
    {
        _grades = grades;
        _idealGains = idealGains;
        _relevantCount = relevantCount;
    }

    /// <summary>Orders <paramref name="run"/> as trec_eval does and looks up each document's grade.</summary>
    public static JudgedRanking Create(IReadOnlyList<ScoredHit> run, IReadOnlyDictionary<string, int> judgments)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(judgments);
        var ordered = new ScoredHit[run.Count];
        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i] = run[i];
        }
        Array.Sort(ordered, static (x, y) =>
        {
            int byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(y.Id, x.Id);
        });
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var grades = new int[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            if (!seen.Add(ordered[i].Id))
            {
                throw new ArgumentException($"The run lists document '{ordered[i].Id}' twice.", nameof(run));
            }
            grades[i] = judgments.TryGetValue(ordered[i].Id, out int grade) ? grade : 0;
        }

        var idealGains = new List<int>();
        int relevant = 0;
        foreach (int grade in judgments.Values)
        {
            if (grade >= 1)
            {
                idealGains.Add(grade);
                relevant++;
            }
        }
        idealGains.Sort(static (x, y) => y.CompareTo(x));
        return new JudgedRanking(grades, [.. idealGains], relevant);
    }

    /// <summary>Number of relevant (grade ≥ 1) judged documents.</summary>
    public int RelevantCount => _relevantCount;

    /// <summary>nDCG@k with gain = grade and discount log2(rank + 1); the ideal ranking sorts the judged grades.</summary>
    public double NdcgAt(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        double dcg = 0;
        for (int i = 0; i < Math.Min(k, _grades.Length); i++)
        {
            if (_grades[i] > 0)
            {
                dcg += _grades[i] / Math.Log2(i + 2);
            }
        }
        double ideal = 0;
        for (int i = 0; i < Math.Min(k, _idealGains.Length); i++)
        {
            ideal += _idealGains[i] / Math.Log2(i + 2);
        }
        return ideal > 0 ? dcg / ideal : 0;
    }

    /// <summary>Fraction of the relevant documents found in the top k (0 when none are relevant).</summary>
    public double RecallAt(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return _relevantCount == 0 ? 0 : (double)RelevantWithin(k) / _relevantCount;
    }

    /// <summary>1 / rank of the first relevant document within the top k, else 0.</summary>
    public double ReciprocalRankAt(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        for (int i = 0; i < Math.Min(k, _grades.Length); i++)
        {
            if (_grades[i] >= 1)
            {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    /// <summary>
    /// Average precision cut at k: the sum of precision at each relevant rank ≤ k, divided by the number of relevant
    /// documents (not by min(k, R)), as trec_eval's map_cut.
    /// </summary>
    public double AveragePrecisionAt(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (_relevantCount == 0)
        {
            return 0;
        }
        double sum = 0;
        int found = 0;
        for (int i = 0; i < Math.Min(k, _grades.Length); i++)
        {
            if (_grades[i] >= 1)
            {
                found++;
                sum += (double)found / (i + 1);
            }
        }
        return sum / _relevantCount;
    }

    private int RelevantWithin(int k)
    {
        int found = 0;
        for (int i = 0; i < Math.Min(k, _grades.Length); i++)
        {
            found += _grades[i] >= 1 ? 1 : 0;
        }
        return found;
    }
}
