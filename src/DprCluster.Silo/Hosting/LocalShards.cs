using DprCluster.Grains.Contracts;
using DprCluster.Grains.Shard;

namespace DprCluster.Silo.Hosting;

/// <summary>
/// The shard replicas this silo hosts. Recovery runs in the background so the silo answers <c>/healthz</c> at once;
/// <see cref="AllServing"/> drives <c>/readyz</c>.
/// </summary>
public sealed class LocalShards : IAsyncDisposable
{
    private readonly Dictionary<int, ShardGrain> _grains;
    private Task _recovery = Task.CompletedTask;

    /// <summary>Creates (not yet recovered) replicas of <paramref name="shards"/>.</summary>
    public LocalShards(IReadOnlyList<int> shards, ShardOptions options)
    {
        _grains = new Dictionary<int, ShardGrain>(shards.Count);
        foreach (int shard in shards)
        {
            _grains[shard] = new ShardGrain(shard, options);
        }
        Grains = [.. _grains.Values];
    }

    /// <summary>The replicas, in shard order of creation.</summary>
    public IReadOnlyList<ShardGrain> Grains { get; }

    /// <summary>Completes when every replica finished recovering (serving or failed); already complete before <see cref="StartRecovery"/>.</summary>
    public Task Recovery => _recovery;

    /// <summary>True when every replica recovered and serves.</summary>
    public bool AllServing
    {
        get
        {
            foreach (ShardGrain grain in Grains)
            {
                if (grain.State != ShardState.Serving)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Starts recovering every replica in parallel; completes when all finished (served or failed).</summary>
    public Task StartRecovery(CancellationToken cancellationToken)
    {
        var starts = new Task[Grains.Count];
        for (int i = 0; i < starts.Length; i++)
        {
            starts[i] = Grains[i].StartAsync(cancellationToken);
        }
        _recovery = Task.WhenAll(starts);
        return _recovery;
    }

    /// <summary>The local replica of <paramref name="shard"/>, or null when this silo holds none.</summary>
    public ShardGrain? Find(int shard) => _grains.GetValueOrDefault(shard);

    /// <summary>Waits for recovery, then closes every replica's log.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _recovery.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown during recovery: the replicas close below regardless.
        }
        foreach (ShardGrain grain in Grains)
        {
            await grain.DisposeAsync().ConfigureAwait(false);
        }
    }
}
