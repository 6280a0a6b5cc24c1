using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using Orleans.Runtime;

namespace DprCluster.Grains.Shard;

/// <summary>
/// The shard replicas whose data lives on this silo's disk: one <see cref="ShardReplica"/> engine per owned shard,
/// opened once per process (so a grain deactivation never reopens a log). Recovery runs in the background when the
/// silo starts, so it answers <c>/healthz</c> at once; <see cref="AllServing"/> drives <c>/readyz</c>. It joins the
/// silo's lifecycle at its first runtime stage, so on shutdown it closes only after every grain has deactivated and
/// messaging has stopped: no grain call reaches a closed log.
/// </summary>
public sealed class ShardStore : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly Dictionary<int, ShardReplica> _replicas;
    private readonly CancellationTokenSource _stopping = new();
    private Task _recovery = Task.CompletedTask;
    private bool _disposed;

    /// <summary>
    /// Creates (not yet recovered) engines for the shards <paramref name="placement"/> puts on shard silo
    /// <paramref name="ordinal"/>; with <paramref name="grains"/>, each knows its shard's other replicas and catches up
    /// from them.
    /// </summary>
    public ShardStore(ShardPlacement placement, int ordinal, ShardOptions options, IGrainFactory? grains = null)
    {
        ArgumentNullException.ThrowIfNull(placement);
        IReadOnlyList<int> shards = placement.ShardsOn(ordinal);
        Ordinal = ordinal;
        _replicas = new Dictionary<int, ShardReplica>(shards.Count);
        foreach (int shard in shards)
        {
            var peers = new List<IShardReplicaGrain>();
            IReadOnlyList<int> silos = placement.SilosOf(shard);
            for (int r = 0; grains is not null && r < silos.Count; r++)
            {
                if (silos[r] != ordinal)
                {
                    peers.Add(grains.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(shard, r).ToString()));
                }
            }
            _replicas[shard] = new ShardReplica(shard, options, peers);
        }
        Replicas = [.. _replicas.Values];
    }

    /// <summary>This silo's position among the shard silos.</summary>
    public int Ordinal { get; }

    /// <summary>The engines, in shard order of creation.</summary>
    public IReadOnlyList<ShardReplica> Replicas { get; }

    /// <summary>Completes when every engine finished recovering (serving or failed).</summary>
    public Task Recovery => _recovery;

    /// <summary>True when every engine recovered and serves searches (a read-only one included).</summary>
    public bool AllServing
    {
        get
        {
            foreach (ShardReplica replica in Replicas)
            {
                if (replica.State is not (ShardState.Serving or ShardState.ReadOnly))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>True when some engine serves reads only (its log cannot be written).</summary>
    public bool AnyReadOnly
    {
        get
        {
            foreach (ShardReplica replica in Replicas)
            {
                if (replica.State == ShardState.ReadOnly)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>The engine of <paramref name="shard"/>, or null when this silo holds none.</summary>
    public ShardReplica? Find(int shard) => _replicas.GetValueOrDefault(shard);

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ShardStore), ServiceLifecycleStage.RuntimeInitialize, StartAsync, _ => DisposeAsync().AsTask());

    /// <summary>Starts recovering every engine in parallel; does not wait for them.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var starts = new Task[Replicas.Count];
        for (int i = 0; i < starts.Length; i++)
        {
            starts[i] = Replicas[i].StartAsync(_stopping.Token);
        }
        _recovery = Task.WhenAll(starts);
        return Task.CompletedTask;
    }

    /// <summary>Waits for recovery, then closes every engine's log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _recovery.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown during recovery: the engines close below regardless.
        }
        foreach (ShardReplica replica in Replicas)
        {
            await replica.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}
