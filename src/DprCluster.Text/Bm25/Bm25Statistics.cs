namespace DprCluster.Text.Bm25;

/// <summary>
/// The collection statistics BM25 scores with: number of documents, their total length in terms, and document
/// frequencies of some (or all) terms. Each shard exports its own; <see cref="Merge"/> sums them into cluster-wide
/// statistics that every shard then scores with, so sharded BM25 ranks exactly like one index (the distributed
/// frequency idea of Elasticsearch's <c>dfs_query_then_fetch</c>).
/// </summary>
public sealed class Bm25Statistics
{
    private readonly Dictionary<string, long> _documentFrequencies;

    /// <summary>Creates statistics; document frequencies must lie in [0, <paramref name="documentCount"/>].</summary>
    public Bm25Statistics(long documentCount, long totalLength, IReadOnlyDictionary<string, long> documentFrequencies)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(documentCount);
        ArgumentOutOfRangeException.ThrowIfNegative(totalLength);
        ArgumentNullException.ThrowIfNull(documentFrequencies);
        _documentFrequencies = new Dictionary<string, long>(documentFrequencies.Count, StringComparer.Ordinal);
        foreach ((string term, long df) in documentFrequencies)
        {
            if (df < 0 || df > documentCount)
            {
                throw new ArgumentOutOfRangeException(nameof(documentFrequencies), df,
                    $"document frequency of '{term}' must lie in [0, {documentCount}].");
            }
            _documentFrequencies[term] = df;
        }
        DocumentCount = documentCount;
        TotalLength = totalLength;
    }

    /// <summary>Number of documents.</summary>
    public long DocumentCount { get; }

    /// <summary>Sum of all document lengths, in indexed terms.</summary>
    public long TotalLength { get; }

    /// <summary>Document frequency of each exported term.</summary>
    public IReadOnlyDictionary<string, long> DocumentFrequencies => _documentFrequencies;

    /// <summary>Mean document length (0 for an empty collection).</summary>
    public double AverageLength => DocumentCount == 0 ? 0 : (double)TotalLength / DocumentCount;

    /// <summary>Document frequency of <paramref name="term"/>; throws when the statistics do not cover it.</summary>
    public long DocumentFrequency(string term) =>
        _documentFrequencies.TryGetValue(term, out long df)
            ? df
            : throw new KeyNotFoundException(
                $"The statistics carry no document frequency for '{term}'; export statistics for every query term.");

    /// <summary>Sums per-shard statistics into cluster-wide statistics.</summary>
    public static Bm25Statistics Merge(IEnumerable<Bm25Statistics> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        long documents = 0;
        long length = 0;
        var frequencies = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Bm25Statistics part in parts)
        {
            documents += part.DocumentCount;
            length += part.TotalLength;
            foreach ((string term, long df) in part._documentFrequencies)
            {
                frequencies[term] = frequencies.GetValueOrDefault(term) + df;
            }
        }
        return new Bm25Statistics(documents, length, frequencies);
    }
}
