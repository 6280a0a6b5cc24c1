namespace DprCluster.Text.Bm25;

/// <summary>
/// The documents containing one term, in increasing document-number order, with the term's frequency in each.
/// Postings of deleted documents stay until the index compacts; <see cref="LiveDocumentFrequency"/> excludes them.
/// </summary>
internal sealed class PostingList
{
    private int[] _documents;
    private int[] _frequencies;

    public PostingList(int capacity = 2)
    {
        _documents = new int[Math.Max(capacity, 1)];
        _frequencies = new int[Math.Max(capacity, 1)];
    }

    /// <summary>Document numbers; only the first <see cref="Count"/> are valid.</summary>
    public int[] Documents => _documents;

    /// <summary>Term frequencies, parallel to <see cref="Documents"/>.</summary>
    public int[] Frequencies => _frequencies;

    /// <summary>Number of postings, deleted documents included.</summary>
    public int Count { get; private set; }

    /// <summary>Number of live documents containing the term.</summary>
    public int LiveDocumentFrequency { get; set; }

    /// <summary>Upper-bound pairs for MaxScore.</summary>
    public ScoreBoundSkyline Skyline { get; } = new();

    /// <summary>Appends a posting; <paramref name="document"/> must exceed every document already present.</summary>
    public void Append(int document, int frequency, float length)
    {
        if (Count == _documents.Length)
        {
            Array.Resize(ref _documents, Count * 2);
            Array.Resize(ref _frequencies, Count * 2);
        }
        _documents[Count] = document;
        _frequencies[Count] = frequency;
        Count++;
        LiveDocumentFrequency++;
        Skyline.Add(frequency, length);
    }
}
