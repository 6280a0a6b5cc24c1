using DprCluster.Text.Analysis;

namespace DprCluster.Text.Bm25;

/// <summary>
/// An in-memory BM25 inverted index for one shard: online add, replace and delete; top-k search with MaxScore
/// pruning; export of collection statistics and search with cluster-wide statistics, so a coordinator can make
/// sharded BM25 rank exactly like one index; checksummed persistence. Searches run concurrently with each other;
/// writes are serialised and exclude searches (a reader-writer lock).
/// </summary>
public sealed class Bm25Index : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly InvertedIndex _index;

    /// <summary>Creates an empty index.</summary>
    public Bm25Index(EnglishAnalyzer analyzer, Bm25Parameters parameters)
        : this(analyzer, parameters,
            new InvertedIndex((parameters ?? throw new ArgumentNullException(nameof(parameters))).LengthEncoding))
    {
    }

    internal Bm25Index(EnglishAnalyzer analyzer, Bm25Parameters parameters, InvertedIndex index)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(parameters);
        Analyzer = analyzer;
        Parameters = parameters;
        _index = index;
    }

    /// <summary>The analyzer applied to documents and queries.</summary>
    public EnglishAnalyzer Analyzer { get; }

    /// <summary>BM25 settings.</summary>
    public Bm25Parameters Parameters { get; }

    /// <summary>Number of documents (passages) in the index.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _index.DocumentCount;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>
    /// Adds a passage, or replaces the passage with the same id. Title and text are indexed as one field (Anserini's
    /// "flat" BEIR index of title + text). A passage whose text analyzes to no terms is kept as a document of length 0.
    /// </summary>
    public void Upsert(string id, ReadOnlySpan<char> title, ReadOnlySpan<char> text)
    {
        ArgumentNullException.ThrowIfNull(id);
        _lock.EnterWriteLock();
        try
        {
            _index.Delete(id);
            foreach (ReadOnlySpan<char> term in Analyzer.Analyze(title))
            {
                _index.AddTerm(term);
            }
            foreach (ReadOnlySpan<char> term in Analyzer.Analyze(text))
            {
                _index.AddTerm(term);
            }
            _index.CommitDocument(id);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Adds or replaces a passage that has no title.</summary>
    public void Upsert(string id, ReadOnlySpan<char> text) => Upsert(id, [], text);

    /// <summary>Removes a passage; returns false when the id was not indexed.</summary>
    public bool Delete(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        _lock.EnterWriteLock();
        try
        {
            return _index.Delete(id);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>True when a passage with this id is indexed.</summary>
    public bool Contains(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        _lock.EnterReadLock();
        try
        {
            return _index.Contains(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Analyzes query text with this index's analyzer.</summary>
    public Bm25Query ParseQuery(string text) => Bm25Query.Parse(text, Analyzer);

    /// <summary>
    /// This shard's statistics: document count, total length and the document frequencies of <paramref name="terms"/>
    /// (analyzed terms, e.g. <see cref="Bm25Query.Terms"/>; absent terms get 0), or of every indexed term when null.
    /// </summary>
    public Bm25Statistics ExportStatistics(IEnumerable<string>? terms = null)
    {
        _lock.EnterReadLock();
        try
        {
            var frequencies = new Dictionary<string, long>(StringComparer.Ordinal);
            if (terms is null)
            {
                for (int t = 0; t < _index.TermCount; t++)
                {
                    int df = _index.PostingsOf(t).LiveDocumentFrequency;
                    if (df > 0)
                    {
                        frequencies[_index.Term(t)] = df;
                    }
                }
            }
            else
            {
                foreach (string term in terms)
                {
                    frequencies[term] = _index.Postings(term)?.LiveDocumentFrequency ?? 0;
                }
            }
            return new Bm25Statistics(_index.DocumentCount, _index.TotalLength, frequencies);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Analyzes <paramref name="text"/> and returns the best <paramref name="k"/> passages, best first.</summary>
    public IReadOnlyList<ScoredHit> Search(string text, int k) => Search(ParseQuery(text), k);

    /// <summary>
    /// The best <paramref name="k"/> passages for <paramref name="query"/>, best first (equal scores by ordinal id),
    /// found with MaxScore pruning. With <paramref name="statistics"/> (cluster-wide, from
    /// <see cref="Bm25Statistics.Merge"/>) scores use those instead of this shard's own.
    /// </summary>
    public IReadOnlyList<ScoredHit> Search(Bm25Query query, int k, Bm25Statistics? statistics = null) =>
        Run(query, k, statistics, exhaustive: false);

    /// <summary>
    /// Same contract and results as <see cref="Search(Bm25Query, int, Bm25Statistics?)"/>, but scores every posting;
    /// the reference for verification and benchmarks.
    /// </summary>
    public IReadOnlyList<ScoredHit> SearchExhaustive(Bm25Query query, int k, Bm25Statistics? statistics = null) =>
        Run(query, k, statistics, exhaustive: true);

    /// <summary>Writes the index (live passages only) to <paramref name="stream"/>; see <see cref="Bm25IndexFile"/>.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Freeze().WriteTo(stream);
    }

    /// <summary>
    /// The index as it is now, for writing out while writes and searches go on: holds the write lock only to copy a
    /// few bytes per term and per document.
    /// </summary>
    public Bm25FrozenView Freeze()
    {
        _lock.EnterReadLock();
        try
        {
            return new Bm25FrozenView(Analyzer.Options, Parameters, _index.Freeze());
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Reads an index written by <see cref="WriteTo"/>; throws <see cref="Bm25IndexFormatException"/> for a damaged,
    /// truncated or foreign file. <paramref name="source"/> names the stream in error messages.
    /// </summary>
    public static Bm25Index ReadFrom(Stream stream, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Bm25IndexFile.Read(stream, source);
    }

    /// <summary>Saves to <paramref name="path"/> atomically: a temporary file is written, flushed to disk and renamed.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            WriteTo(file);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Loads an index saved by <see cref="Save"/>.</summary>
    public static Bm25Index Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Bm25IndexFile.Read(file, path);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();

    private List<ScoredHit> Run(Bm25Query query, int k, Bm25Statistics? statistics, bool exhaustive)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _lock.EnterReadLock();
        try
        {
            long documentCount = statistics?.DocumentCount ?? _index.DocumentCount;
            long totalLength = statistics?.TotalLength ?? _index.TotalLength;
            if (documentCount == 0 || _index.DocumentCount == 0)
            {
                return [];
            }
            var normalization = new LengthNormalization(Parameters, documentCount, totalLength);
            var terms = new List<ScoringTerm>(query.Terms.Count);
            for (int slot = 0; slot < query.Terms.Count; slot++)
            {
                string term = query.Terms[slot];
                PostingList? postings = _index.Postings(term);
                long df = statistics?.DocumentFrequency(term) ?? postings?.LiveDocumentFrequency ?? 0;
                if (postings is null || postings.LiveDocumentFrequency == 0)
                {
                    continue;
                }
                float weight = query.Counts[slot] * Bm25Formula.Idf(df, documentCount);
                terms.Add(new ScoringTerm(slot, postings, weight, postings.Skyline.MaxScore(weight, normalization)));
            }
            var heap = new TopKHeap(Math.Min(k, _index.DocumentCount), _index.DocumentIds);
            if (exhaustive)
            {
                ExhaustiveSearch.Run(_index, [.. terms], normalization, heap);
            }
            else
            {
                MaxScoreSearch.Run(_index, [.. terms], normalization, heap);
            }
            return heap.ToSortedHits();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }
}
