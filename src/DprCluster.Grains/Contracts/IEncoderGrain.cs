using DprCluster.Encoders;

namespace DprCluster.Grains.Contracts;

/// <summary>
/// Stateless worker hosting the question and passage encoders. Concurrent calls are batched together by the
/// encoders' dynamic batching.
/// </summary>
public interface IEncoderGrain
{
    /// <summary>Length of the vectors it produces.</summary>
    int Dimension { get; }

    /// <summary>One question-encoder vector per question.</summary>
    Task<float[][]> EncodeQueriesAsync(IReadOnlyList<string> queries, CancellationToken cancellationToken);

    /// <summary>One passage-encoder vector per (title, text) passage.</summary>
    Task<float[][]> EncodePassagesAsync(IReadOnlyList<PassageText> passages, CancellationToken cancellationToken);
}
