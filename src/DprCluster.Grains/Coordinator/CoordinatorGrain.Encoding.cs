using System.Diagnostics;
using DprCluster.Abstractions;

namespace DprCluster.Grains.Coordinator;

public sealed partial class CoordinatorGrain
{
    /// <summary>
    /// How long an encoder call keeps trying other keys when the runtime cannot deliver it: longer than failure
    /// detection takes to declare a dead silo dead (about 2 s with the cluster's probe settings), within the request's own deadline.
    /// </summary>
    private static readonly TimeSpan EncoderRetryWindow = TimeSpan.FromSeconds(10);

    private Task<float[][]> EncodeQueriesAsync(string[] queries, CancellationToken cancellationToken) =>
        CallEncoderAsync(encoder => encoder.EncodeQueriesAsync(queries, cancellationToken), cancellationToken);

    private Task<float[][]> EncodePassagesAsync(PassageContent[] passages, CancellationToken cancellationToken) =>
        CallEncoderAsync(encoder => encoder.EncodePassagesAsync(passages, cancellationToken), cancellationToken);

    /// <summary>
    /// Calls an encoder grain under a random key and, when the runtime could not reach it (a silo that died and is not
    /// yet declared dead can still be chosen), tries another key after a short pause that doubles each time, until
    /// <see cref="EncoderRetryWindow"/> has passed or the request is cancelled. Errors of the request itself are not retried.
    /// </summary>
    private async Task<float[][]> CallEncoderAsync(Func<IEncoderGrain, Task<float[][]>> call, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(25);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call(GrainFactory.GetGrain<IEncoderGrain>(Random.Shared.Next(_layout.EncoderKeys)));
            }
            catch (Exception e) when (e is not ClusterException && !cancellationToken.IsCancellationRequested)
            {
                if (Stopwatch.GetElapsedTime(start) + pause > EncoderRetryWindow)
                {
                    throw new ClusterException(ClusterErrorCodes.EncoderUnavailable,
                        $"no encoder answered in {attempt} attempts over {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s: {e.Message}", e);
                }
            }
            try
            {
                await Task.Delay(pause, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new ClusterException(ClusterErrorCodes.DeadlineExceeded, "the request's deadline passed while no encoder answered");
            }
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks));
        }
    }
}
