using DprCluster.Text.Analysis;

namespace DprCluster.Text.Bm25;

/// <summary>
/// An analyzed bag-of-words query: its distinct terms in order of first occurrence, each with the number of times it
/// occurred, which multiplies its BM25 weight (Anserini's bag-of-words query). The term order fixes the order in
/// which per-term scores are summed, so every shard adds them up identically.
/// </summary>
public sealed class Bm25Query
{
    private readonly string[] _terms;
    private readonly int[] _counts;

    /// <summary>Builds a query from already-analyzed terms; repeated terms are merged and counted.</summary>
    public Bm25Query(IEnumerable<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var order = new List<string>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string term in terms)
        {
            ArgumentException.ThrowIfNullOrEmpty(term, nameof(terms));
            if (counts.TryGetValue(term, out int count))
            {
                counts[term] = count + 1;
            }
            else
            {
                counts[term] = 1;
                order.Add(term);
            }
        }
        _terms = [.. order];
        _counts = new int[_terms.Length];
        for (int i = 0; i < _terms.Length; i++)
        {
            _counts[i] = counts[_terms[i]];
        }
    }

    /// <summary>
    /// Rebuilds a query from its distinct terms and their counts (as <see cref="Terms"/> and <see cref="Counts"/> give
    /// them); throws when the lists differ in length, a term repeats or is empty, or a count is not positive.
    /// </summary>
    public static Bm25Query FromCounts(IReadOnlyList<string> terms, IReadOnlyList<int> counts)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(counts);
        if (terms.Count != counts.Count)
        {
            throw new ArgumentException($"{terms.Count} terms but {counts.Count} counts.", nameof(counts));
        }
        var seen = new HashSet<string>(terms.Count, StringComparer.Ordinal);
        var distinct = new string[terms.Count];
        var occurrences = new int[terms.Count];
        for (int i = 0; i < distinct.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(terms[i], nameof(terms));
            if (!seen.Add(terms[i]))
            {
                throw new ArgumentException($"Term '{terms[i]}' appears twice.", nameof(terms));
            }
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(counts[i], nameof(counts));
            distinct[i] = terms[i];
            occurrences[i] = counts[i];
        }
        return new Bm25Query(distinct, occurrences);
    }

    private Bm25Query(string[] terms, int[] counts)
    {
        _terms = terms;
        _counts = counts;
    }

    /// <summary>Analyzes <paramref name="text"/> with <paramref name="analyzer"/> into a query.</summary>
    public static Bm25Query Parse(string text, EnglishAnalyzer analyzer)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(analyzer);
        return new Bm25Query(analyzer.AnalyzeToList(text));
    }

    /// <summary>The distinct terms, in order of first occurrence.</summary>
    public IReadOnlyList<string> Terms => _terms;

    /// <summary>How often each of <see cref="Terms"/> occurred.</summary>
    public IReadOnlyList<int> Counts => _counts;

    /// <summary>True when analysis left no terms (the query matches nothing).</summary>
    public bool IsEmpty => _terms.Length == 0;
}
