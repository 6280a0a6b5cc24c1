namespace DprCluster.Text.Metrics;

/// <summary>
/// Relevance judgements: for each query, the graded relevance of judged documents (≥ 1 relevant, 0 judged
/// non-relevant; negative grades are kept but never count as relevant or as gain).
/// </summary>
public sealed class Qrels
{
    private readonly Dictionary<string, Dictionary<string, int>> _judgments = new(StringComparer.Ordinal);

    /// <summary>Records a judgement; a repeated (query, document) pair is an error, as in trec_eval.</summary>
    public void Add(string queryId, string documentId, int grade)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryId);
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        if (!_judgments.TryGetValue(queryId, out Dictionary<string, int>? documents))
        {
            documents = new Dictionary<string, int>(StringComparer.Ordinal);
            _judgments.Add(queryId, documents);
        }
        if (!documents.TryAdd(documentId, grade))
        {
            throw new ArgumentException($"Query '{queryId}' judges document '{documentId}' twice.", nameof(documentId));
        }
    }

    /// <summary>Queries with at least one judgement.</summary>
    public IReadOnlyCollection<string> QueryIds => _judgments.Keys;

    /// <summary>Number of judged queries.</summary>
    public int Count => _judgments.Count;

    /// <summary>The judgements of one query (empty when it has none).</summary>
    public IReadOnlyDictionary<string, int> For(string queryId) =>
        _judgments.TryGetValue(queryId, out Dictionary<string, int>? documents)
            ? documents
            : new Dictionary<string, int>();
}
