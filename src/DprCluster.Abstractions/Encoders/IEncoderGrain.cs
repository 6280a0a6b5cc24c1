namespace DprCluster.Abstractions;

/// <summary>
/// Stateless worker on encoder silos hosting the question and passage encoders. Every activation on a silo shares
/// that silo's one encoder service, so concurrent calls are batched together. Callers spread load by key.
/// </summary>
public interface IEncoderGrain : IGrainWithIntegerKey
{
    /// <summary>One question-encoder vector per question.</summary>
    Task<float[][]> EncodeQueriesAsync(string[] queries, CancellationToken cancellationToken);

    /// <summary>This encoder silo's queue and batch sizes.</summary>
    Task<EncoderStats> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary>One passage-encoder vector per (title, text) passage.</summary>
    Task<float[][]> EncodePassagesAsync(PassageContent[] passages, CancellationToken cancellationToken);
}
