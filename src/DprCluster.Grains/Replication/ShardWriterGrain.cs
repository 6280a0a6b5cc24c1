using System.Diagnostics;
using System.Threading.Channels;
using DprCluster.Abstractions;
using DprCluster.Grains.Coordinator;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Shard;
using DprCluster.Grains.Telemetry;
using Orleans.Concurrency;
using Orleans.Placement;

namespace DprCluster.Grains.Replication;

/// <summary>
/// The one writer of a shard (key: the shard number): the sequencer that gives the shard one total order of writes.
/// Writes queue here; a loop takes what has queued (group commit across callers), numbers the records with the next
/// LSNs, ships the batch to every replica at once and acknowledges each write once the write quorum logged and applied
/// it. Replicas take only records that follow their last LSN, so two replicas at one LSN hold the same passages, and
/// one that missed records catches up from a peer. A timer polls the replicas' LSNs for the lag metric and the cluster
/// view, and tells one that trails to catch up. The writer learns where the shard stands from its replicas when it
/// activates, and again after a batch no replica confirmed. Gateway silos host writers (the first coordinator to write to
/// a shard places its writer on its own silo), so losing a shard silo never takes a writer down with it; and every
/// batch leaves the writer's view of all replicas' LSNs with the replicas, so a writer activated anew still knows how
/// far a lost replica trails.
/// </summary>
[Reentrant, KeepAlive, PreferLocalPlacement]
public sealed class ShardWriterGrain(ClusterLayout layout, CoordinatorOptions options) : Grain, IShardWriterGrain
{
    /// <summary>Most records one replicated batch carries.</summary>
    private const int MaxBatchRecords = 4096;

    /// <summary>Most (estimated) bytes one replicated batch carries.</summary>
    private const long MaxBatchBytes = 32L << 20;

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly Channel<QueuedWrite> _queue = Channel.CreateUnbounded<QueuedWrite>(new UnboundedChannelOptions { SingleReader = true });
    private IShardReplicaGrain[] _replicas = [];
    private string[] _silos = [];
    private long?[] _replicaLsns = [];
    private bool[] _recovering = [];
    private long? _lastLsn;
    private ShardRecordBatch? _unsettled;
    private Task _loop = Task.CompletedTask;

    /// <summary>The shard this grain writes.</summary>
    public int ShardId { get; private set; }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ShardPlacement placement = layout.Placement;
        long key = this.GetPrimaryKeyLong();
        if (key < 0 || key >= placement.ShardCount)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"shard {key} does not exist; the cluster has {placement.ShardCount}");
        }
        ShardId = (int)key;
        IReadOnlyList<int> silos = placement.SilosOf(ShardId);
        _replicas = new IShardReplicaGrain[silos.Count];
        _silos = new string[silos.Count];
        _replicaLsns = new long?[silos.Count];
        _recovering = new bool[silos.Count];
        for (int r = 0; r < silos.Count; r++)
        {
            _replicas[r] = GrainFactory.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(ShardId, r).ToString());
            _silos[r] = placement.SiloNames[silos[r]];
        }
        // Started on the grain's scheduler: its replica calls interleave with new writes (the grain is reentrant).
        _loop = RunAsync();
        this.RegisterGrainTimer(PollAsync, new GrainTimerCreationOptions(PollInterval, PollInterval) { Interleave = true });
        ReplicationTelemetry.Register(this);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReplicationTelemetry.Unregister(this);
        _queue.Writer.TryComplete();
        await _loop;
    }

    /// <inheritdoc />
    public Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken)
    {
        if (request?.Passages is not { Length: > 0 } passages)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "an upsert needs at least one passage");
        }
        var records = new ShardRecord[passages.Length];
        for (int i = 0; i < passages.Length; i++)
        {
            EncodedPassageCheck.Validate(passages[i], layout.Dimension, ShardId);
            RequireOwnShard(passages[i].Passage.Id);
            records[i] = new ShardRecord(0, passages[i], null);
        }
        return Enqueue(new QueuedWrite(CoordinatorTelemetry.Upsert, records), cancellationToken);
    }

    /// <inheritdoc />
    public Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken)
    {
        if (request?.Ids is not { Length: > 0 } ids)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "a delete needs at least one id");
        }
        var records = new ShardRecord[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            EncodedPassageCheck.ValidateId(ids[i]);
            RequireOwnShard(ids[i]);
            records[i] = new ShardRecord(0, null, ids[i]);
        }
        return Enqueue(new QueuedWrite(CoordinatorTelemetry.Delete, records), cancellationToken);
    }

    /// <inheritdoc />
    public Task<ShardWriterStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ShardWriterStatus(ShardId, _lastLsn, [.. _replicaLsns]));

    /// <summary>Per replica, how many records it trails the furthest LSN known (sent, or held by a replica); null if never heard from.</summary>
    internal long?[] Lags()
    {
        long target = _lastLsn ?? 0;
        foreach (long? lsn in _replicaLsns)
        {
            target = Math.Max(target, lsn ?? 0);
        }
        var lags = new long?[_replicaLsns.Length];
        for (int r = 0; r < lags.Length; r++)
        {
            lags[r] = _replicaLsns[r] is long lsn ? target - lsn : null;
        }
        return lags;
    }

    private void RequireOwnShard(string id)
    {
        if (layout.Placement.ShardOf(id) != ShardId)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"passage '{id}' belongs to shard {layout.Placement.ShardOf(id)}, not {ShardId}");
        }
    }

    private Task<ShardWriteResponse> Enqueue(QueuedWrite write, CancellationToken cancellationToken)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ClusterException(ClusterErrorCodes.ShardUnavailable, $"the writer of shard {ShardId} is shutting down");
        }
        // Giving up waiting does not withdraw the write: it may still be applied, as with any timed-out RPC.
        return write.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        // Started under the first caller's span; each batch's span is chosen from its own callers instead.
        Activity.Current = null;
        var batch = new List<QueuedWrite>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            int records = 0;
            long bytes = 0;
            while (records < MaxBatchRecords && bytes < MaxBatchBytes && _queue.Reader.TryRead(out QueuedWrite? write))
            {
                batch.Add(write);
                records += write.Records.Length;
                bytes += write.EstimatedBytes;
            }
            try
            {
                await CommitAsync(batch);
            }
            catch (Exception e)
            {
                // Whatever broke, no write waits forever: each hears why. The next batch asks the replicas where the
                // shard stands, unless a batch is still unsettled (its LSNs are taken until some replica confirms it).
                if (_unsettled is null)
                {
                    _lastLsn = null;
                }
                var failure = e as ClusterException ?? new ClusterException(ClusterErrorCodes.ShardUnavailable, $"shard {ShardId}: {e.Message}", e);
                foreach (QueuedWrite write in batch)
                {
                    write.Done.TrySetException(failure);
                }
            }
        }
    }

    /// <summary>
    /// Numbers the batch, ships it to every replica, and settles each write by how many replicas applied it. A batch no
    /// replica confirmed (all calls timed out) keeps its LSNs: it is sent again, unchanged, before anything new is
    /// numbered, so a slow replica that logs it late and one that gets the resend agree on what those LSNs hold.
    /// </summary>
    private async Task CommitAsync(List<QueuedWrite> batch)
    {
        var callers = new ActivityContext[batch.Count];
        for (int i = 0; i < callers.Length; i++)
        {
            callers[i] = batch[i].Caller;
        }
        using Activity? span = SampledSpans.StartGroup(ReplicationTelemetry.Source, DprClusterTelemetry.Spans.WriterCommit, callers);
        span?.SetTag(DprClusterTelemetry.Attributes.Shard, ShardId);
        _lastLsn ??= await LearnLastLsnAsync();
        if (_unsettled is { } earlier)
        {
            Shipment resent = await ShipAsync(earlier, batch[0].Operation, span);
            if (resent.Applied == 0)
            {
                throw new ClusterException(ClusterErrorCodes.ShardUnavailable,
                    $"shard {ShardId}: records {earlier.Records[0].Lsn}-{earlier.Records[^1].Lsn}, sent earlier, are not confirmed by any " +
                    $"replica yet; new writes wait for that ({resent.FirstError?.Message})", resent.FirstError);
            }
            _unsettled = null;
            _lastLsn = Math.Max(_lastLsn.Value, earlier.Records[^1].Lsn);
        }
        long first = _lastLsn.Value + 1;
        int count = 0;
        foreach (QueuedWrite write in batch)
        {
            count += write.Records.Length;
        }
        var records = new ShardRecord[count];
        int at = 0;
        foreach (QueuedWrite write in batch)
        {
            write.Offset = at;
            foreach (ShardRecord record in write.Records)
            {
                records[at] = record with { Lsn = first + at };
                at++;
            }
        }
        long last = first + count - 1;
        span?.SetTag(DprClusterTelemetry.Attributes.Count, count);

        var shipment = new ShardRecordBatch(records, [.. _replicaLsns]);
        Shipment result = await ShipAsync(shipment, batch[0].Operation, span);
        if (result.Applied > 0)
        {
            _lastLsn = last;
        }
        else if (result.Unknown > 0)
        {
            // A replica that did not answer may yet log the batch: it goes out again, as it is, before the next one.
            _lastLsn = last;
            _unsettled = shipment;
        }
        // Every replica refused before logging: nobody holds these LSNs, so the next batch reuses them.

        int quorum = Math.Min(options.WriteQuorum ?? _replicas.Length, _replicas.Length);
        if (result.Applied >= quorum)
        {
            foreach (QueuedWrite write in batch)
            {
                write.Done.TrySetResult(new ShardWriteResponse(ShardId, first + write.Offset + write.Records.Length - 1,
                    CountChanged(result.Changed!, write.Offset, write.Records.Length)));
            }
            return;
        }
        ClusterException refusal = Refusal(result.Applied, result.Unknown, quorum, result.FirstError);
        foreach (QueuedWrite write in batch)
        {
            write.Done.TrySetException(refusal);
        }
    }

    /// <summary>Sends <paramref name="batch"/> to every replica at once and counts who logged it, who surely did not, and who may have.</summary>
    private async Task<Shipment> ShipAsync(ShardRecordBatch batch, string operation, Activity? span)
    {
        long last = batch.Records[^1].Lsn;
        var calls = new Task<ShardReplicateResponse>[_replicas.Length];
        for (int r = 0; r < calls.Length; r++)
        {
            calls[r] = ReplicateWithinAsync(_replicas[r], batch);
        }
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception)
        {
            // Settled below, replica by replica.
        }
        int applied = 0;
        int unknown = 0;
        bool[]? changed = null;
        Exception? firstError = null;
        for (int r = 0; r < calls.Length; r++)
        {
            Task<ShardReplicateResponse> call = calls[r];
            if (call.IsCompletedSuccessfully && call.Result.LastLsn >= last)
            {
                applied++;
                _replicaLsns[r] = call.Result.LastLsn;
                // A replica that already held a record (copied by repair) reports it unchanged; another may have changed it.
                changed ??= new bool[batch.Records.Length];
                for (int i = 0; i < changed.Length && i < call.Result.Changed.Length; i++)
                {
                    changed[i] |= call.Result.Changed[i];
                }
                continue;
            }
            Exception error = call.Exception?.GetBaseException()
                ?? (call.IsCompletedSuccessfully
                    ? new InvalidOperationException($"replica {r} on {_silos[r]} answered at LSN {call.Result.LastLsn}, short of {last}")
                    : new TimeoutException($"replica {r} on {_silos[r]} did not answer within {options.ShardTimeout.TotalMilliseconds:F0} ms"));
            firstError ??= error;
            unknown += IsDefiniteRefusal(error) ? 0 : 1;
            CoordinatorTelemetry.RecordReplicaFailure(operation, ShardId, _silos[r], error, span);
        }
        return new Shipment(applied, unknown, changed, firstError);
    }

    /// <summary>What shipping one batch came to.</summary>
    private readonly record struct Shipment(int Applied, int Unknown, bool[]? Changed, Exception? FirstError);

    /// <summary>What a write that missed its quorum tells the caller: whether it is applied nowhere, or will be everywhere.</summary>
    private ClusterException Refusal(int applied, int unknown, int quorum, Exception? firstError)
    {
        string code = firstError is ClusterException { Code: ClusterErrorCodes.InsufficientStorage or ClusterErrorCodes.ShardReadOnly } storage
            ? storage.Code
            : ClusterErrorCodes.ShardUnavailable;
        string outcome = applied > 0
            ? $"{applied} of {_replicas.Length} replicas applied the write, {quorum} needed: it is not acknowledged, and not undone either; " +
              "the other replicas copy it when they catch up"
            : unknown > 0
                ? $"no replica confirmed the write, {quorum} needed; {unknown} did not answer in time or failed while logging and may " +
                  "hold it: it is sent again before the next write, and then reaches every replica"
                : $"no replica applied the write, {quorum} needed: nothing changed";
        return new ClusterException(code, $"shard {ShardId}: {outcome} ({firstError?.Message})", firstError);
    }

    /// <summary>
    /// Refusals after which the replica certainly did not log the batch: it never got it, or turned it away before its
    /// log (a gap, still recovering, invalid). A read-only or failed replica may have written part of a group before the
    /// failure, so those count as unknown.
    /// </summary>
    private static bool IsDefiniteRefusal(Exception error) => error is ShardReplicaUnavailableException
        || error is ClusterException { Code: ClusterErrorCodes.ReplicaBehind or ClusterErrorCodes.ShardRecovering
            or ClusterErrorCodes.InvalidRequest or ClusterErrorCodes.DimensionMismatch };

    private static int CountChanged(bool[] changed, int offset, int count)
    {
        int total = 0;
        for (int i = offset; i < offset + count && i < changed.Length; i++)
        {
            total += changed[i] ? 1 : 0;
        }
        return total;
    }

    private async Task<ShardReplicateResponse> ReplicateWithinAsync(IShardReplicaGrain replica, ShardRecordBatch batch)
    {
        using var deadline = new CancellationTokenSource(options.ShardTimeout);
        return await replica.ReplicateAsync(batch, deadline.Token);
    }

    /// <summary>
    /// The highest last LSN among the recovered replicas that answer; throws when none does, or while one that answers
    /// is still recovering (after a cluster restart the first to recover may be the one that is behind).
    /// </summary>
    private async Task<long> LearnLastLsnAsync()
    {
        ShardStats?[] stats = await PollReplicasAsync();
        for (int r = 0; r < _replicas.Length; r++)
        {
            if (_recovering[r])
            {
                throw new ClusterException(ClusterErrorCodes.ShardRecovering,
                    $"shard {ShardId}: replica {r} on {_silos[r]} is still recovering; writes resume once it can say how far its log goes");
            }
        }
        long? last = null;
        foreach (ShardStats? replica in stats)
        {
            if (replica is not null)
            {
                last = Math.Max(last ?? 0, replica.LastLsn);
            }
        }
        return last ?? throw new ClusterException(ClusterErrorCodes.ShardUnavailable,
            $"shard {ShardId}: no replica answered, so its writer cannot tell where the shard's log stands");
    }

    /// <summary>Each recovered replica's stats (null where it did not answer or has not recovered); records their LSNs.</summary>
    private async Task<ShardStats?[]> PollReplicasAsync()
    {
        var calls = new Task<ShardStats>[_replicas.Length];
        for (int r = 0; r < calls.Length; r++)
        {
            calls[r] = StatsWithinAsync(_replicas[r]);
        }
        try
        {
            await Task.WhenAll(calls);
        }
        catch (Exception)
        {
            // A replica that does not answer has no say.
        }
        var stats = new ShardStats?[calls.Length];
        for (int r = 0; r < calls.Length; r++)
        {
            _recovering[r] = calls[r].IsCompletedSuccessfully && calls[r].Result.State == ShardState.Recovering;
            if (calls[r].IsCompletedSuccessfully && calls[r].Result.State is not (ShardState.Recovering or ShardState.Failed))
            {
                stats[r] = calls[r].Result;
                _replicaLsns[r] = stats[r]!.LastLsn;
            }
        }
        // A replica this activation never heard from keeps the LSN an earlier writer last saw, as its peers remember it.
        for (int r = 0; r < calls.Length; r++)
        {
            foreach (ShardStats? peer in stats)
            {
                if (_replicaLsns[r] is null && peer?.ReplicaLsns is { } view && r < view.Length)
                {
                    _replicaLsns[r] = view[r];
                }
            }
        }
        return stats;
    }

    private async Task<ShardStats> StatsWithinAsync(IShardReplicaGrain replica)
    {
        using var deadline = new CancellationTokenSource(options.ShardTimeout);
        return await replica.GetStatsAsync(deadline.Token);
    }

    /// <summary>Refreshes the replicas' LSNs and tells each that trails the shard to catch up.</summary>
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        ShardStats?[] stats = await PollReplicasAsync();
        long target = _lastLsn ?? 0;
        foreach (ShardStats? replica in stats)
        {
            target = Math.Max(target, replica?.LastLsn ?? 0);
        }
        for (int r = 0; r < stats.Length; r++)
        {
            if (stats[r] is { State: ShardState.Serving or ShardState.CatchingUp } replica && replica.LastLsn < target)
            {
                try
                {
                    using var deadline = new CancellationTokenSource(options.ShardTimeout);
                    await _replicas[r].CatchUpAsync(target, deadline.Token);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The next poll asks again.
                }
            }
        }
    }

    /// <summary>One caller's write waiting for its batch: its records (LSNs assigned in the batch) and its place there.</summary>
    private sealed class QueuedWrite(string operation, ShardRecord[] records)
    {
        public string Operation { get; } = operation;

        public ShardRecord[] Records { get; } = records;

        /// <summary>Index of its first record in the batch it went out in.</summary>
        public int Offset { get; set; }

        public long EstimatedBytes
        {
            get
            {
                long bytes = 0;
                foreach (ShardRecord record in Records)
                {
                    bytes += RecordSize.Of(record);
                }
                return bytes;
            }
        }

        /// <summary>The span of whoever sent the write, so the batch that carries it joins its trace.</summary>
        public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

        public TaskCompletionSource<ShardWriteResponse> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
