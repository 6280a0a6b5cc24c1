using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Grains.Contracts;

namespace DprCluster.Grains.Encoder;

/// <summary>
/// Hosts an <see cref="EncoderService"/> (question and passage encoders with dynamic batching). Concurrent callers'
/// questions are batched together by the service; an over-full queue is reported as <see cref="ClusterErrorCodes.Overloaded"/>.
/// </summary>
public sealed class EncoderGrain(EncoderService service) : IEncoderGrain
{
    /// <inheritdoc />
    public int Dimension => service.Dimension;

    /// <inheritdoc />
    public async Task<float[][]> EncodeQueriesAsync(IReadOnlyList<string> queries, CancellationToken cancellationToken)
    {
        var tasks = new Task<float[]>[queries.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = service.EncodeQueryAsync(queries[i], cancellationToken);
        }
        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (EncoderOverloadedException e)
        {
            throw new ClusterException(ClusterErrorCodes.Overloaded, e.Message, e);
        }
    }

    /// <inheritdoc />
    public async Task<float[][]> EncodePassagesAsync(IReadOnlyList<PassageText> passages, CancellationToken cancellationToken)
    {
        try
        {
            return await service.EncodePassagesAsync(passages, cancellationToken).ConfigureAwait(false);
        }
        catch (EncoderOverloadedException e)
        {
            throw new ClusterException(ClusterErrorCodes.Overloaded, e.Message, e);
        }
    }
}
