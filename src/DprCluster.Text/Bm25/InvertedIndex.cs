namespace DprCluster.Text.Bm25;

/// <summary>
/// The mutable data behind <see cref="Bm25Index"/>: term dictionary, posting lists, per-document lengths and a
/// forward list of each document's terms (needed to keep document frequencies exact on delete). Documents get
/// increasing numbers, so appending keeps posting lists sorted; deleted documents are tombstoned and purged by
/// <see cref="Compact"/> once they make up a quarter of the postings or documents. Not thread-safe: the owner locks.
/// </summary>
internal sealed class InvertedIndex
{
    private const int MinimumCompactionGarbage = 4096;

    private Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _termLookup;
    private string[] _terms = new string[16];
    private PostingList[] _postings = new PostingList[16];
    private int _termCount;

    private readonly Dictionary<string, int> _documentNumbers = new(StringComparer.Ordinal);
    private string?[] _documentIds = new string?[16];
    private int[] _lengths = new int[16];
    private float[] _normLengths = new float[16];
    private int[]?[] _documentTerms = new int[16][];
    private int _documentSlots;

    private long _livePostings;
    private long _deadPostings;
    private int _deletedDocuments;

    // Scratch for the document being added: per-term counts and the distinct terms seen.
    private int[] _pendingFrequencies = new int[16];
    private readonly List<int> _pendingTerms = [];
    private int _pendingLength;

    public InvertedIndex(DocumentLengthEncoding lengthEncoding)
    {
        LengthEncoding = lengthEncoding;
        _termLookup = _termIds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public DocumentLengthEncoding LengthEncoding { get; }

    /// <summary>Number of live documents.</summary>
    public int DocumentCount => _documentNumbers.Count;

    /// <summary>Sum of the lengths of live documents.</summary>
    public long TotalLength { get; private set; }

    /// <summary>Number of document slots, deleted ones included; document numbers lie below it.</summary>
    public int DocumentSlots => _documentSlots;

    /// <summary>Passage id per document number; null for deleted documents.</summary>
    public string?[] DocumentIds => _documentIds;

    /// <summary>Length used in the normalisation (exact or quantised) per document number.</summary>
    public float[] NormLengths => _normLengths;

    /// <summary>Number of distinct terms with postings.</summary>
    public int TermCount => _termCount;

    public bool IsDeleted(int document) => _documentIds[document] is null;

    public bool Contains(string id) => _documentNumbers.ContainsKey(id);

    public PostingList? Postings(ReadOnlySpan<char> term) =>
        _termLookup.TryGetValue(term, out int termId) ? _postings[termId] : null;

    public string Term(int termId) => _terms[termId];

    public PostingList PostingsOf(int termId) => _postings[termId];

    public int Length(int document) => _lengths[document];

    /// <summary>Counts one term occurrence of the document being built.</summary>
    public void AddTerm(ReadOnlySpan<char> term)
    {
        if (!_termLookup.TryGetValue(term, out int termId))
        {
            termId = CreateTerm(term.ToString());
        }
        if (_pendingFrequencies[termId]++ == 0)
        {
            _pendingTerms.Add(termId);
        }
        _pendingLength++;
    }

    /// <summary>Stores the document built by <see cref="AddTerm"/> under <paramref name="id"/> (which must be absent).</summary>
    public void CommitDocument(string id)
    {
        int document = _documentSlots++;
        EnsureDocumentCapacity(_documentSlots);
        float normLength = NormLength(_pendingLength);
        var terms = new int[_pendingTerms.Count];
        for (int i = 0; i < terms.Length; i++)
        {
            int termId = _pendingTerms[i];
            terms[i] = termId;
            _postings[termId].Append(document, _pendingFrequencies[termId], normLength);
            _pendingFrequencies[termId] = 0;
        }
        _documentIds[document] = id;
        _lengths[document] = _pendingLength;
        _normLengths[document] = normLength;
        _documentTerms[document] = terms;
        _documentNumbers.Add(id, document);
        TotalLength += _pendingLength;
        _livePostings += terms.Length;
        _pendingTerms.Clear();
        _pendingLength = 0;
    }

    /// <summary>Tombstones a document; returns false when the id is absent.</summary>
    public bool Delete(string id)
    {
        if (!_documentNumbers.Remove(id, out int document))
        {
            return false;
        }
        int[] terms = _documentTerms[document]!;
        foreach (int termId in terms)
        {
            _postings[termId].LiveDocumentFrequency--;
        }
        TotalLength -= _lengths[document];
        _livePostings -= terms.Length;
        _deadPostings += terms.Length;
        _deletedDocuments++;
        _documentIds[document] = null;
        _documentTerms[document] = null;
        if (_deadPostings + _deletedDocuments >= MinimumCompactionGarbage
            && (_deadPostings * 4 > _livePostings + _deadPostings || _deletedDocuments * 4 > _documentSlots))
        {
            Compact();
        }
        return true;
    }

    /// <summary>The index as it is now; the caller keeps writers out for the duration of this call.</summary>
    public InvertedIndexView Freeze()
    {
        var postings = new InvertedIndexView.Term[_termCount];
        for (int t = 0; t < _termCount; t++)
        {
            PostingList list = _postings[t];
            postings[t] = new InvertedIndexView.Term(list.Documents, list.Frequencies, list.Count, list.LiveDocumentFrequency);
        }
        return new InvertedIndexView(_documentIds[.._documentSlots], _lengths, _terms, postings);
    }

    /// <summary>
    /// Renumbers live documents densely (keeping their order), drops postings of deleted documents and terms no live
    /// document uses, and rebuilds the score-bound skylines.
    /// </summary>
    public void Compact()
    {
        var newNumbers = new int[_documentSlots];
        int live = 0;
        for (int d = 0; d < _documentSlots; d++)
        {
            newNumbers[d] = _documentIds[d] is null ? -1 : live++;
        }

        var newTermIds = new int[_termCount];
        var termIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var terms = new string[Math.Max(16, _termCount)];
        var postings = new PostingList[terms.Length];
        int termCount = 0;
        for (int t = 0; t < _termCount; t++)
        {
            PostingList old = _postings[t];
            if (old.LiveDocumentFrequency == 0)
            {
                newTermIds[t] = -1;
                continue;
            }
            var kept = new PostingList(old.LiveDocumentFrequency);
            for (int i = 0; i < old.Count; i++)
            {
                int document = newNumbers[old.Documents[i]];
                if (document >= 0)
                {
                    kept.Append(document, old.Frequencies[i], _normLengths[old.Documents[i]]);
                }
            }
            newTermIds[t] = termCount;
            terms[termCount] = _terms[t];
            postings[termCount] = kept;
            termIds.Add(_terms[t], termCount);
            termCount++;
        }

        var ids = new string?[Math.Max(16, live)];
        var lengths = new int[ids.Length];
        var normLengths = new float[ids.Length];
        var documentTerms = new int[ids.Length][];
        for (int d = 0; d < _documentSlots; d++)
        {
            int target = newNumbers[d];
            if (target < 0)
            {
                continue;
            }
            int[] documentTermIds = _documentTerms[d]!;
            for (int i = 0; i < documentTermIds.Length; i++)
            {
                documentTermIds[i] = newTermIds[documentTermIds[i]];
            }
            ids[target] = _documentIds[d];
            lengths[target] = _lengths[d];
            normLengths[target] = _normLengths[d];
            documentTerms[target] = documentTermIds;
            _documentNumbers[_documentIds[d]!] = target;
        }

        _termIds = termIds;
        _termLookup = termIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _terms = terms;
        _postings = postings;
        _termCount = termCount;
        _pendingFrequencies = new int[terms.Length];
        _documentIds = ids;
        _lengths = lengths;
        _normLengths = normLengths;
        _documentTerms = documentTerms;
        _documentSlots = live;
        _deadPostings = 0;
        _deletedDocuments = 0;
    }

    /// <summary>
    /// Rebuilds an index from persisted parts: live documents (id, length) numbered densely, and per term its sorted
    /// postings. Throws <see cref="InvalidDataException"/> when the parts contradict each other.
    /// </summary>
    public static InvertedIndex Restore(
        DocumentLengthEncoding lengthEncoding, string[] ids, int[] lengths, IReadOnlyList<RestoredTerm> terms)
    {
        var index = new InvertedIndex(lengthEncoding);
        index.EnsureDocumentCapacity(ids.Length);
        var termCounts = new int[ids.Length];
        for (int d = 0; d < ids.Length; d++)
        {
            if (!index._documentNumbers.TryAdd(ids[d], d))
            {
                throw new InvalidDataException($"passage id '{ids[d]}' appears twice");
            }
            index._documentIds[d] = ids[d];
            index._lengths[d] = lengths[d];
            index._normLengths[d] = index.NormLength(lengths[d]);
            index.TotalLength += lengths[d];
        }
        index._documentSlots = ids.Length;

        var lengthCheck = new long[ids.Length];
        foreach (RestoredTerm term in terms)
        {
            if (term.Text.Length == 0 || term.Documents.Length == 0 || index._termLookup.ContainsKey(term.Text))
            {
                throw new InvalidDataException($"term '{term.Text}' is empty, has no postings or appears twice");
            }
            int termId = index.CreateTerm(term.Text, term.Documents.Length);
            PostingList postings = index._postings[termId];
            int previous = -1;
            for (int i = 0; i < term.Documents.Length; i++)
            {
                int document = term.Documents[i];
                int frequency = term.Frequencies[i];
                if (document <= previous || document >= ids.Length || frequency <= 0)
                {
                    throw new InvalidDataException($"posting list of '{term.Text}' is out of order or out of range");
                }
                previous = document;
                postings.Append(document, frequency, index._normLengths[document]);
                termCounts[document]++;
                lengthCheck[document] += frequency;
            }
            index._livePostings += term.Documents.Length;
        }

        for (int d = 0; d < ids.Length; d++)
        {
            if (lengthCheck[d] != lengths[d])
            {
                throw new InvalidDataException(
                    $"document '{ids[d]}' has length {lengths[d]} but its postings add up to {lengthCheck[d]}");
            }
            index._documentTerms[d] = new int[termCounts[d]];
            termCounts[d] = 0;
        }
        for (int t = 0; t < index._termCount; t++)
        {
            PostingList postings = index._postings[t];
            for (int i = 0; i < postings.Count; i++)
            {
                int document = postings.Documents[i];
                index._documentTerms[document]![termCounts[document]++] = t;
            }
        }
        return index;
    }

    private float NormLength(int length) =>
        LengthEncoding == DocumentLengthEncoding.Lucene ? LuceneLengthQuantizer.Quantize(length) : length;

    private int CreateTerm(string term, int capacity = 2)
    {
        int termId = _termCount++;
        if (termId == _terms.Length)
        {
            Array.Resize(ref _terms, termId * 2);
            Array.Resize(ref _postings, termId * 2);
            Array.Resize(ref _pendingFrequencies, termId * 2);
        }
        _terms[termId] = term;
        _postings[termId] = new PostingList(capacity);
        _termIds.Add(term, termId);
        return termId;
    }

    private void EnsureDocumentCapacity(int slots)
    {
        if (slots <= _documentIds.Length)
        {
            return;
        }
        int capacity = Math.Max(slots, _documentIds.Length * 2);
        Array.Resize(ref _documentIds, capacity);
        Array.Resize(ref _lengths, capacity);
        Array.Resize(ref _normLengths, capacity);
        Array.Resize(ref _documentTerms, capacity);
    }
}
