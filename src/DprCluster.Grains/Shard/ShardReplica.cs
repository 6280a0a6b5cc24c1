using System.Threading.Channels;
using DprCluster.Abstractions;
using DprCluster.Core.Hashing;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Grains.Telemetry;
using DprCluster.Index.Hnsw;
using DprCluster.Index.Quantization;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Shard;

/// <summary>
/// One replica of one shard: <see cref="HnswIndex"/> of passage vectors, <see cref="Bm25Index"/> postings and a
/// <see cref="PassageStore"/>, behind a <see cref="WriteAheadLog"/> with snapshots. Writes go through one loop that
/// takes every queued write, logs them with one write and one fsync (group commit), applies them in order and only
/// then acknowledges: an ack is durable and visible to the next search. Searches never wait for writes or snapshots,
/// and writes wait for neither snapshots nor compaction: those run beside the writer on frozen views.
/// This is the engine; <see cref="ShardReplicaGrain"/> is its grain façade and <see cref="ShardStore"/> owns it.
/// </summary>
public sealed partial class ShardReplica : IAsyncDisposable
{
    private readonly ShardOptions _options;
    private readonly string _directory;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly RecallProbe _recallProbe;
    private Task _writeLoop = Task.CompletedTask;

    private volatile ShardState _state = ShardState.Recovering;

    /// <summary>Guards state changes made by the write loop and the repair task, so neither undoes the other's.</summary>
    private readonly Lock _stateLock = new();
    private string? _error;
    private string _refusalCode = ClusterErrorCodes.ShardReadOnly;
    private ShardContents? _data;
    private WriteAheadLog? _log;
    private long _snapshotLsn;
    private long _previousSnapshotLsn;
    private long _snapshotBytes;

    /// <summary>The shard writer's latest view of every replica's LSN, kept for a writer that activates anew.</summary>
    private volatile long?[]? _replicaLsns;

    /// <summary>
    /// Creates the replica; call <see cref="StartAsync"/> to recover it. <paramref name="peers"/> are the shard's other
    /// replicas, which it catches up from; none for a replica that stands alone.
    /// </summary>
    public ShardReplica(int shardId, ShardOptions options, IReadOnlyList<IShardReplicaGrain>? peers = null)
    {
        _peers = peers ?? [];
        ArgumentOutOfRangeException.ThrowIfNegative(shardId);
        ShardId = shardId;
        _options = options;
        _directory = Path.Combine(options.DataDirectory, $"shard-{shardId}");
        ShardTag = new KeyValuePair<string, object?>(DprClusterTelemetry.Attributes.Shard, shardId);
        _recallProbe = new RecallProbe(TimeSpan.FromMilliseconds(options.RecallProbeIntervalMs), ShardTag);
    }

    /// <summary>The shard this replica serves.</summary>
    public int ShardId { get; }

    /// <summary>Recovering, serving, read-only or failed.</summary>
    public ShardState State => _state;

    /// <summary>Why recovery failed, when it did.</summary>
    public string? Error => _error;

    /// <summary>
    /// Recovers from the newest readable snapshot and the log after it, then starts accepting writes. A damaged log
    /// leaves the replica <see cref="ShardState.Failed"/> with the file and offset in <see cref="Error"/>.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => Task.Run(() =>
    {
        ShardTelemetry.Register(this);
        try
        {
            RemoveStaleTemporaries();
            Recover();
            // With peers, it first asks them whether it missed records while it was down, and serves reads after that.
            _state = _peers.Count > 0 ? ShardState.CatchingUp : ShardState.Serving;
            _writeLoop = Task.Run(RunWriteLoopAsync, CancellationToken.None);
            _maintenance = Task.Run(RunMaintenanceAsync, CancellationToken.None);
            StartCatchingUp(afterRestart: true);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _error = e.Message;
            _state = ShardState.Failed;
        }
    }, cancellationToken);

    /// <summary>Counts, log positions and state.</summary>
    public Task<ShardStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        ShardContents? data = _data;
        return Task.FromResult(new ShardStats(
            ShardId,
            _state,
            data?.Passages.Count ?? 0,
            data?.Vectors.DeletedCount ?? 0,
            _log?.LastLsn ?? 0,
            Interlocked.Read(ref _snapshotLsn),
            _state is ShardState.Serving or ShardState.ReadOnly ? _log?.Bytes ?? 0 : 0,
            _error ?? _repairError ?? data?.Vectors.IndexingError,
            _recallProbe.LastRecall,
            data?.Passages.ContentDigest ?? 0,
            _replicaLsns,
            data?.Vectors.MemoryBytes ?? 0,
            data?.Vectors.Options.Quantization.ToShortName(),
            data?.Vectors.Unindexed ?? 0));
    }

    /// <summary>A stored passage, or null.</summary>
    public Task<Passage?> GetAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(Serving().Passages.Get(id));

    /// <summary>The stored passages of <paramref name="ids"/>, in order; null where one is absent (deleted since).</summary>
    public Task<Passage?[]> FetchAsync(string[] ids)
    {
        ShardContents contents = Serving();
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Length > _options.MaxK)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"at most {_options.MaxK} passages per fetch, got {ids.Length}");
        }
        var passages = new Passage?[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            passages[i] = ids[i] is null ? null : contents.Passages.Get(ids[i]);
        }
        return Task.FromResult(passages);
    }

    /// <summary>Stored passages with their vectors: the named ones, then a uniform random sample of the rest.</summary>
    public Task<ShardVector[]> VectorsAsync(ShardVectorsRequest request)
    {
        ShardContents contents = Serving();
        if (request?.Ids is null || request.Ids.Length > _options.MaxK || request.Sample < 0 || request.Sample > _options.MaxK)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"at most {_options.MaxK} ids and {_options.MaxK} sampled passages");
        }
        var points = new List<ShardVector>(request.Ids.Length + request.Sample);
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (string id in request.Ids)
        {
            if (id is not null && named.Add(id) && contents.Passages.KeyOf(id) is long key && VectorOf(contents, key) is { } vector)
            {
                points.Add(new ShardVector(contents.Passages.GetByKey(key)!, vector, false));
            }
        }
        foreach (StoredPassage stored in contents.Passages.Sample(request.Sample, request.Seed, named))
        {
            if (VectorOf(contents, stored.Key) is { } vector)
            {
                points.Add(new ShardVector(stored.Passage, vector, true));
            }
        }
        return Task.FromResult(points.ToArray());
    }

    private static float[]? VectorOf(ShardContents contents, long key)
    {
        var vector = new float[contents.Vectors.Dimensions];
        return contents.Vectors.TryGetVector(key, vector) ? vector : null;
    }

    /// <summary>For each (id, fingerprint), whether this replica stores that passage with that content.</summary>
    public Task<bool[]> HoldsAsync(ShardContentCheck check)
    {
        ShardContents contents = Serving();
        if (check?.Ids is null || check.ContentHashes is null || check.Ids.Length != check.ContentHashes.Length)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "a content check needs one fingerprint per id");
        }
        var holds = new bool[check.Ids.Length];
        for (int i = 0; i < holds.Length; i++)
        {
            holds[i] = contents.Passages.Get(check.Ids[i]) is { } stored
                && PassageContentHash.Of(stored.Title, stored.Text, stored.Metadata) == check.ContentHashes[i];
        }
        return Task.FromResult(holds);
    }

    /// <summary>Stops taking writes, finishes the queued ones, and closes the log.</summary>
    public async ValueTask DisposeAsync()
    {
        ShardTelemetry.Unregister(this);
        await _stopping.CancelAsync().ConfigureAwait(false);
        // Started repairs see the cancellation; none starts after it. Whatever ended one, shutdown goes on.
        await _repair.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
        _writes.Writer.TryComplete();
        await _writeLoop.ConfigureAwait(false);
        _maintenanceRequests.Writer.TryComplete();
        await _maintenance.ConfigureAwait(false);
        await _recallProbe.DrainAsync().ConfigureAwait(false);
        _log?.Dispose();
        _data?.Vectors.Dispose();
        _data?.Postings.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Moves to <paramref name="next"/> unless the replica failed (a failure is final until a restart).</summary>
    private void SetState(ShardState next)
    {
        lock (_stateLock)
        {
            if (_state != ShardState.Failed || next == ShardState.Failed)
            {
                _state = next;
            }
        }
    }

    /// <summary>Moves from <paramref name="from"/> to <paramref name="to"/> only if the replica is still in <paramref name="from"/>.</summary>
    private bool TransitionState(ShardState from, ShardState to)
    {
        lock (_stateLock)
        {
            if (_state != from)
            {
                return false;
            }
            _state = to;
            return true;
        }
    }

    /// <summary>The contents, for reads: a read-only replica still answers them.</summary>
    private ShardContents Serving() => _state switch
    {
        ShardState.Serving or ShardState.ReadOnly => _data!,
        ShardState.Recovering => throw new ClusterException(ClusterErrorCodes.ShardRecovering, $"shard {ShardId} is still recovering"),
        ShardState.CatchingUp => throw new ClusterException(ClusterErrorCodes.ShardCatchingUp,
            $"shard {ShardId} is copying records it missed from a peer (at LSN {_log?.LastLsn ?? 0})"),
        _ => throw new ClusterException(ClusterErrorCodes.ShardFailed, $"shard {ShardId} failed recovery: {_error}"),
    };

    private ShardContents CreateEmpty() => new(
        0,
        new PassageStore(),
        new BufferedHnswIndex(new HnswIndex(new HnswOptions(_options.Dimensions, _options.Metric, _options.M, _options.EfConstruction,
            _options.EfSearch, Quantization: _options.Quantization), _directory), Indexing),
        new Bm25Index(new EnglishAnalyzer(_options.Analyzer), _options.Bm25));

    /// <summary>How this replica's index buffers writes and links them.</summary>
    private BufferedIndexingOptions Indexing => new(_options.MaxUnindexed,
        _options.IndexThreads > 0 ? _options.IndexThreads : Environment.ProcessorCount);
}
