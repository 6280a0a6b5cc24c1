namespace DprCluster.Text.Bm25;

/// <summary>
/// Lucene's BM25 (as in <c>BM25Similarity</c>, which Anserini uses): idf = ln(1 + (N − df + 0.5) / (df + 0.5)),
/// term score = w·tf / (tf + k1·(1 − b + b·dl / avgdl)) with w = query-term count × idf. Lucene dropped the
/// constant (k1 + 1) factor, which does not change rankings. Every score path goes through these methods so pruned,
/// exhaustive and sharded searches compute bit-identical floats.
/// </summary>
internal static class Bm25Formula
{
    /// <summary>Inverse document frequency, computed in double and rounded to float as Lucene does.</summary>
    public static float Idf(long documentFrequency, long documentCount) =>
        (float)Math.Log(1 + (documentCount - documentFrequency + 0.5) / (documentFrequency + 0.5));

    /// <summary>The score one term contributes for a document with the given length normaliser.</summary>
    public static float TermScore(float weight, int termFrequency, float lengthNorm) =>
        weight * termFrequency / (termFrequency + lengthNorm);
}
