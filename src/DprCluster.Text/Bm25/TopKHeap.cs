namespace DprCluster.Text.Bm25;

/// <summary>
/// The k best (document, score) pairs seen so far, as a binary min-heap whose root is the worst kept entry. Equal
/// scores are ordered by ordinal passage id (smaller id first), so results do not depend on internal document
/// numbers and a sharded search merges to exactly the unsharded ranking.
/// </summary>
internal sealed class TopKHeap
{
    private readonly float[] _scores;
    private readonly int[] _documents;
    private readonly string?[] _ids;
    private int _count;

    public TopKHeap(int capacity, string?[] ids)
    {
        _scores = new float[capacity];
        _documents = new int[capacity];
        _ids = ids;
    }

    /// <summary>True once k entries are kept; only then does <see cref="Threshold"/> prune.</summary>
    public bool IsFull => _count == _scores.Length;

    /// <summary>The score an entry must reach (ties decided by id) to enter a full heap.</summary>
    public float Threshold => _scores[0];

    /// <summary>Keeps the entry if it is among the best k so far.</summary>
    public void Offer(float score, int document)
    {
        if (_count < _scores.Length)
        {
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!Worse(score, document, _scores[parent], _documents[parent]))
                {
                    break;
                }
                _scores[i] = _scores[parent];
                _documents[i] = _documents[parent];
                i = parent;
            }
            _scores[i] = score;
            _documents[i] = document;
            return;
        }
        if (Worse(score, document, _scores[0], _documents[0]))
        {
            return;
        }
        SiftDown(score, document);
    }

    /// <summary>The kept entries, best first.</summary>
    public List<ScoredHit> ToSortedHits()
    {
        var hits = new List<ScoredHit>(_count);
        while (_count > 0)
        {
            hits.Add(new ScoredHit(_ids[_documents[0]]!, _scores[0]));
            _count--;
            if (_count > 0)
            {
                SiftDown(_scores[_count], _documents[_count]);
            }
        }
        hits.Reverse();
        return hits;
    }

    private void SiftDown(float score, int document)
    {
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= _count)
            {
                break;
            }
            if (child + 1 < _count && Worse(_scores[child + 1], _documents[child + 1], _scores[child], _documents[child]))
            {
                child++;
            }
            if (!Worse(_scores[child], _documents[child], score, document))
            {
                break;
            }
            _scores[i] = _scores[child];
            _documents[i] = _documents[child];
            i = child;
        }
        _scores[i] = score;
        _documents[i] = document;
    }

    private bool Worse(float score, int document, float otherScore, int otherDocument) =>
        score < otherScore
        || (score == otherScore && string.CompareOrdinal(_ids[document], _ids[otherDocument]) > 0);
}
