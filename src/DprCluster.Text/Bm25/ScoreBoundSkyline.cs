namespace DprCluster.Text.Bm25;

/// <summary>
/// The (term frequency, document length) pairs of a term's postings that no other posting dominates (higher or equal
/// frequency with shorter or equal length). A BM25 term score grows with frequency and shrinks with length, so its
/// maximum over all postings is reached on this skyline — for any k1, b, avgdl and idf — which gives MaxScore exact
/// per-term upper bounds even while cluster-wide statistics change. Deleting postings leaves the skyline a valid
/// (looser) bound until the next rebuild. Kept sorted by frequency; lengths then increase strictly.
/// </summary>
internal sealed class ScoreBoundSkyline
{
    private int[] _frequencies = new int[2];
    private float[] _lengths = new float[2];
    private int _count;

    /// <summary>Number of pairs kept.</summary>
    public int Count => _count;

    /// <summary>Adds a posting's pair unless an existing pair dominates it, dropping the pairs it dominates.</summary>
    public void Add(int frequency, float length)
    {
        int firstNotLower = 0;
        while (firstNotLower < _count && _frequencies[firstNotLower] < frequency)
        {
            firstNotLower++;
        }
        if (firstNotLower < _count && _lengths[firstNotLower] <= length)
        {
            return;
        }
        int lastCovered = firstNotLower < _count && _frequencies[firstNotLower] == frequency ? firstNotLower + 1 : firstNotLower;
        int firstDominated = firstNotLower;
        while (firstDominated > 0 && _lengths[firstDominated - 1] >= length)
        {
            firstDominated--;
        }
        int removed = lastCovered - firstDominated;
        if (removed == 0 && _count == _frequencies.Length)
        {
            Array.Resize(ref _frequencies, _count * 2);
            Array.Resize(ref _lengths, _count * 2);
        }
        Array.Copy(_frequencies, lastCovered, _frequencies, firstDominated + 1, _count - lastCovered);
        Array.Copy(_lengths, lastCovered, _lengths, firstDominated + 1, _count - lastCovered);
        _frequencies[firstDominated] = frequency;
        _lengths[firstDominated] = length;
        _count += 1 - removed;
    }

    /// <summary>The largest score any posting of the term can reach with this weight and normalisation.</summary>
    public float MaxScore(float weight, LengthNormalization normalization)
    {
        float best = 0;
        for (int i = 0; i < _count; i++)
        {
            best = Math.Max(best, Bm25Formula.TermScore(weight, _frequencies[i], normalization.Of(_lengths[i])));
        }
        return best;
    }

    /// <summary>Forgets every pair (before a rebuild).</summary>
    public void Clear() => _count = 0;
}
