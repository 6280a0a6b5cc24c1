namespace DprCluster.Text.Bm25;

/// <summary>How document lengths enter the BM25 length normalisation.</summary>
public enum DocumentLengthEncoding : byte
{
    /// <summary>The exact number of indexed terms.</summary>
    Exact = 0,

    /// <summary>
    /// Lucene's one-byte norm (<c>SmallFloat.intToByte4</c>): exact up to 23 terms, then 4 significant bits; the
    /// lossy lengths Lucene, and so Anserini, actually score with.
    /// </summary>
    Lucene = 1,
}
