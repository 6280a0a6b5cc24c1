using DprCluster.Abstractions;

namespace DprCluster.Grains.Coordinator;

public sealed partial class CoordinatorGrain
{
    /// <summary>Attempts per encoder call; each picks another encoder grain key.</summary>
    private const int EncoderAttempts = 3;

    private Task<float[][]> EncodeQueriesAsync(string[] queries, CancellationToken cancellationToken) =>
        CallEncoderAsync(encoder => encoder.EncodeQueriesAsync(queries, cancellationToken), cancellationToken);

    private Task<float[][]> EncodePassagesAsync(PassageContent[] passages, CancellationToken cancellationToken) =>
        CallEncoderAsync(encoder => encoder.EncodePassagesAsync(passages, cancellationToken), cancellationToken);

    /// <summary>
    /// Calls an encoder grain under a random key and, when the runtime could not reach it (a silo that died and is not
    /// yet declared dead can hold the key's directory entry), tries another key: another key is another activation,
    /// usually elsewhere. Errors of the request itself are not retried.
    /// </summary>
    private async Task<float[][]> CallEncoderAsync(Func<IEncoderGrain, Task<float[][]>> call, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call(GrainFactory.GetGrain<IEncoderGrain>(Random.Shared.Next(_layout.EncoderKeys)));
            }
            catch (Exception e) when (e is not ClusterException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt == EncoderAttempts)
                {
                    throw new ClusterException(ClusterErrorCodes.EncoderUnavailable,
                        $"no encoder answered in {EncoderAttempts} attempts: {e.Message}", e);
                }
            }
        }
    }
}
