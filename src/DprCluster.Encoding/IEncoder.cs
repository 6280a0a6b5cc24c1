namespace DprCluster.Encoders;

/// <summary>
/// Turns questions and passages into fixed-size vectors whose dot product ranks passages for a question
/// (DPR: sim(q, p) = E_Q(q) · E_P(p)). Implementations are safe to call from several threads.
/// </summary>
public interface IEncoder : IDisposable
{
    /// <summary>Length of every vector this encoder writes.</summary>
    int Dimension { get; }

    /// <summary>
    /// Encodes <paramref name="queries"/> into <paramref name="destination"/>, row i at [i * Dimension, (i + 1) * Dimension).
    /// <paramref name="destination"/> must hold exactly queries.Length * Dimension floats.
    /// </summary>
    void EncodeQueries(ReadOnlySpan<string> queries, Span<float> destination);

    /// <summary>Encodes (title, text) passages into <paramref name="destination"/>, laid out as in <see cref="EncodeQueries"/>.</summary>
    void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination);
}
