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
    private readonly int _searchThreads;
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
        _searchThreads = options.SearchThreads <= 0 ? Environment.ProcessorCount : options.SearchThreads;
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

    /// <summary>
    /// Searches several of this silo's shards with one request, on at most <see cref="ShardOptions.SearchThreads"/>
    /// pool threads (each takes the next shard until none is left): the shards of one query run in parallel without
    /// one thread or one grain call per shard. A shard's failure is its outcome's error; the others still answer.
    /// </summary>
    public async Task<ShardSearchOutcome[]> SearchAsync(int[] shards, ShardSearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var outcomes = new ShardSearchOutcome[shards.Length];
        int next = -1;
        void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < shards.Length)
            {
                outcomes[i] = SearchOne(shards[i], request, cancellationToken);
            }
        }
        // The calling thread is one of the workers: a search of one shard, or on one thread, makes no further hop.
        int helpers = Math.Clamp(Math.Min(shards.Length, _searchThreads), 1, 256) - 1;
        Task[]? tasks = helpers == 0 ? null : new Task[helpers];
        for (int w = 0; w < helpers; w++)
        {
            tasks![w] = Task.Run(Work, cancellationToken);
        }
        Work();
        if (tasks is not null)
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        return outcomes;
    }

    private ShardSearchOutcome SearchOne(int shard, ShardSearchRequest request, CancellationToken cancellationToken)
    {
        if (Find(shard) is not { } replica)
        {
            return new ShardSearchOutcome(null, ClusterErrorCodes.ShardUnavailable, $"shard {shard} has no replica on shard silo {Ordinal}");
        }
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The engine answers synchronously; the task it returns is already complete.
            return new ShardSearchOutcome(replica.SearchAsync(request, cancellationToken).GetAwaiter().GetResult());
        }
        catch (ClusterException e)
        {
            return new ShardSearchOutcome(null, e.Code, e.Message);
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
