using System.Diagnostics;
using DprCluster.Abstractions;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Grains.Telemetry;

namespace DprCluster.Grains.Shard;

public sealed partial class ShardReplica
{
    /// <summary>Free space a read-only replica wants to see (one probe write) before it takes writes again.</summary>
    private const int ResumeProbeBytes = 1 << 20;

    /// <summary>Most bytes one group commit takes (after its first write), so one append stays far below 2 GiB.</summary>
    private const long MaxGroupBytes = 64L << 20;

    /// <summary>Inserts or replaces passages (with their vectors); completes once they are durable and visible.</summary>
    public Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken)
    {
        Serving();
        ArgumentNullException.ThrowIfNull(request);
        foreach (EncodedPassage passage in request.Passages)
        {
            ValidatePassage(passage);
        }
        return Enqueue(new PendingWrite(request.Passages, null, null), cancellationToken);
    }

    /// <summary>
    /// Logs and applies records the shard's writer numbered (or a peer copied): records at or below the replica's last
    /// LSN are skipped, a batch that leaves a gap is refused with <see cref="ClusterErrorCodes.ReplicaBehind"/> and the
    /// replica starts catching up. Completes once the new records are durable and visible.
    /// </summary>
    public async Task<ShardReplicateResponse> ReplicateAsync(ShardRecordBatch batch, CancellationToken cancellationToken)
    {
        Writable();
        if (batch?.Records is not { Length: > 0 } records)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "a record batch needs at least one record");
        }
        for (int i = 0; i < records.Length; i++)
        {
            ShardRecord record = records[i];
            if (record is null || record.Lsn < 1 || (i > 0 && record.Lsn != records[i - 1].Lsn + 1) || (record.Upsert is null) == (record.DeletedId is null))
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, "records must have consecutive LSNs from 1 up and be either an upsert or a delete");
            }
            if (record.Upsert is not null)
            {
                ValidatePassage(record.Upsert);
            }
            else
            {
                EncodedPassageCheck.ValidateId(record.DeletedId!);
            }
        }
        if (batch.ReplicaLsns is { } view)
        {
            _replicaLsns = view;
        }
        var write = new PendingWrite(null, null, null, records);
        ShardWriteResponse response = await Enqueue(write, cancellationToken).ConfigureAwait(false);
        return new ShardReplicateResponse(ShardId, response.Lsn, write.Changed!);
    }

    /// <summary>Refuses record batches a replica cannot log: still recovering, or failed.</summary>
    private void Writable()
    {
        if (_state is ShardState.Recovering or ShardState.Failed)
        {
            Serving();
        }
    }

    /// <summary>Deletes passages; unknown ids are ignored and not counted.</summary>
    public Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken)
    {
        Serving();
        ArgumentNullException.ThrowIfNull(request);
        foreach (string id in request.Ids)
        {
            EncodedPassageCheck.ValidateId(id);
        }
        return Enqueue(new PendingWrite(null, request.Ids, null), cancellationToken);
    }

    private Task<ShardWriteResponse> Enqueue(PendingWrite write, CancellationToken cancellationToken)
    {
        if (_state == ShardState.ReadOnly)
        {
            throw Refusal();
        }
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ClusterException(ClusterErrorCodes.ShardUnavailable, $"shard {ShardId} is shutting down");
        }
        // Giving up waiting does not withdraw the write: it may still commit, as with any timed-out RPC.
        return write.Done.Task.WaitAsync(cancellationToken);
    }

    private void ValidatePassage(EncodedPassage passage) => EncodedPassageCheck.Validate(passage, _options.Dimensions, ShardId);

    /// <summary>
    /// The single writer: take every queued write (up to the group size), log them in one append with one fsync,
    /// apply them in order, acknowledge, and ask for a snapshot when enough records have accumulated. Between groups
    /// it runs the short steps the maintenance task hands it (freezing the contents, rotating the log).
    /// </summary>
    private async Task RunWriteLoopAsync()
    {
        var group = new List<PendingWrite>();
        var entries = new List<WalEntry>();
        while (true)
        {
            if (_state == ShardState.ReadOnly)
            {
                // Writes that slipped in before the state changed are refused too; then wait and try the disk again.
                RefuseQueued();
                await Task.WhenAny(_writes.Reader.Completion, Task.Delay(_options.ReadOnlyRetryMs)).ConfigureAwait(false);
                if (_writes.Reader.Completion.IsCompleted)
                {
                    break;
                }
                TryResumeWrites();
                continue;
            }
            if (!await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                break;
            }
            group.Clear();
            entries.Clear();
            try
            {
                // A full buffer holds the writes back until the indexer catches up; searches never scan more than it holds.
                await _data!.Vectors.WaitForRoomAsync().ConfigureAwait(false);
                RunWriterSteps();
                CommitGroup(group, entries);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Whatever broke, no write may wait forever on a loop that stopped: fail them, and stop the replica
                // (its log holds everything acknowledged; a restart recovers it).
                _error = $"the write loop failed: {e.Message}";
                SetState(ShardState.Failed);
                _writes.Writer.TryComplete();
                var failure = new ClusterException(ClusterErrorCodes.ShardFailed, $"shard {ShardId}: {_error}", e);
                foreach (PendingWrite write in group)
                {
                    write.Done.TrySetException(failure);
                }
                while (_writes.Reader.TryRead(out PendingWrite? queued))
                {
                    queued.Done.TrySetException(failure);
                }
                return;
            }
        }
    }

    /// <summary>
    /// One group commit: take the queued writes up to the next writer step (bounded in count and bytes), log them,
    /// apply, acknowledge, and ask for a snapshot when one is due.
    /// </summary>
    private void CommitGroup(List<PendingWrite> group, List<WalEntry> entries)
    {
        long bytes = 0;
        while (group.Count < _options.MaxGroupCommit && bytes < MaxGroupBytes
            && _writes.Reader.TryPeek(out PendingWrite? next) && next.Step is null && _writes.Reader.TryRead(out PendingWrite? write))
        {
            group.Add(write);
            bytes += write.EstimatedBytes;
        }
        if (group.Count == 0)
        {
            return;
        }
        long lsn = _log!.LastLsn;
        bool behind = false;
        foreach (PendingWrite write in group)
        {
            write.EntryStart = entries.Count;
            if (write.Records is { } records)
            {
                if (records[0].Lsn > lsn + 1)
                {
                    write.Refusal = new ClusterException(ClusterErrorCodes.ReplicaBehind,
                        $"shard {ShardId}: records from LSN {records[0].Lsn} do not follow this replica's LSN {lsn}; it catches up from a peer");
                    behind = true;
                    continue;
                }
                // Records it already holds (a resend, or a copy racing the writer) are skipped, not logged twice.
                write.Skipped = (int)Math.Min(records.Length, lsn + 1 - records[0].Lsn);
                for (int i = write.Skipped; i < records.Length; i++)
                {
                    ShardRecord record = records[i];
                    entries.Add(record.Upsert is not null
                        ? new WalEntry(record.Lsn, WalEntryKind.Upsert, record.Upsert, null)
                        : new WalEntry(record.Lsn, WalEntryKind.Delete, null, record.DeletedId));
                }
                lsn = Math.Max(lsn, records[^1].Lsn);
            }
            foreach (EncodedPassage passage in write.Upserts ?? [])
            {
                entries.Add(new WalEntry(++lsn, WalEntryKind.Upsert, passage, null));
            }
            foreach (string id in write.Deletes ?? [])
            {
                entries.Add(new WalEntry(++lsn, WalEntryKind.Delete, null, id));
            }
            write.EntryCount = entries.Count - write.EntryStart;
        }
        if (behind)
        {
            StartCatchingUp();
        }
        using (Activity? commit = StartCommitSpan(group))
        {
            commit?.SetTag(DprClusterTelemetry.Attributes.Count, entries.Count);
            if (!TryLog(group, entries))
            {
                return;
            }
            ApplyAndAcknowledge(group, entries);
        }
        if (_log.LastLsn - Interlocked.Read(ref _snapshotLsn) >= _options.SnapshotEveryRecords)
        {
            RequestSnapshot(null);
        }
    }

    /// <summary>Applies a logged group in order and acknowledges each write.</summary>
    private void ApplyAndAcknowledge(List<PendingWrite> group, List<WalEntry> entries)
    {
        using Activity? span = StartSpan(DprClusterTelemetry.Spans.Apply);
        foreach (PendingWrite write in group)
        {
            if (write.Refusal is not null)
            {
                write.Done.TrySetException(write.Refusal);
                continue;
            }
            int applied = 0;
            bool[]? changed = write.Records is null ? null : new bool[write.Records.Length];
            for (int i = 0; i < write.EntryCount; i++)
            {
                bool change = Apply(_data!, entries[write.EntryStart + i]);
                applied += change ? 1 : 0;
                if (changed is not null)
                {
                    changed[write.Skipped + i] = change;
                }
            }
            write.Changed = changed;
            write.Done.TrySetResult(new ShardWriteResponse(ShardId, _log!.LastLsn, applied));
        }
    }

    private bool TryLog(List<PendingWrite> group, List<WalEntry> entries)
    {
        if (entries.Count == 0)
        {
            return true;
        }
        try
        {
            _log!.Append(entries);
            return true;
        }
        catch (WalAppendException e)
        {
            // Nothing of the group counts (the log cut it off again, or will before its next append). Reads go on from
            // memory; writes are refused, with the reason, until the disk takes them again.
            _refusalCode = e.DiskFull ? ClusterErrorCodes.InsufficientStorage : ClusterErrorCodes.ShardReadOnly;
            _error = $"{(e.DiskFull ? "the disk is full" : "the log cannot be written")} ({e.InnerException?.Message}); " +
                "serving reads and refusing writes until it takes them again";
            SetState(ShardState.ReadOnly);
            ShardTelemetry.RecordWriteFailure(ShardTag, e.DiskFull);
            foreach (PendingWrite write in group)
            {
                write.Done.TrySetException(Refusal());
            }
            return false;
        }
    }

    private ClusterException Refusal() => new(_refusalCode, $"shard {ShardId}: {_error}");

    /// <summary>Refuses the queued writes of a read-only replica; its writer steps still run (reads need no disk).</summary>
    private void RefuseQueued()
    {
        while (_writes.Reader.TryRead(out PendingWrite? write))
        {
            if (write.Step is null)
            {
                write.Done.TrySetException(Refusal());
            }
            else
            {
                RunWriterStep(write);
            }
        }
    }

    /// <summary>Runs the writer steps at the head of the queue (each between two group commits).</summary>
    private void RunWriterSteps()
    {
        while (_writes.Reader.TryPeek(out PendingWrite? next) && next.Step is not null && _writes.Reader.TryRead(out PendingWrite? step))
        {
            RunWriterStep(step);
        }
    }

    private void RunWriterStep(PendingWrite step)
    {
        try
        {
            step.Step!();
            step.Done.TrySetResult(new ShardWriteResponse(ShardId, _log!.LastLsn, 0));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The step's owner hears of any failure; the writer goes on with the writes.
            step.Done.TrySetException(e);
        }
    }

    /// <summary>Back to serving writes once the disk takes a probe write and the failed append is cut off the log.</summary>
    private void TryResumeWrites()
    {
        try
        {
            _log!.ProbeWrite(ResumeProbeBytes);
            _log.RestoreTail();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        _error = null;
        if (TransitionState(ShardState.ReadOnly, ShardState.Serving))
        {
            // Records refused while read-only reached the peers: fetch them before the next batch shows the gap.
            StartCatchingUp();
        }
    }

    /// <summary>A write for the writer's queue, or (with <see cref="Step"/>) a short step to run between two group commits.</summary>
    private sealed class PendingWrite(IReadOnlyList<EncodedPassage>? upserts, IReadOnlyList<string>? deletes, Action? step,
        ShardRecord[]? records = null)
    {
        /// <summary>Records numbered elsewhere (by the shard's writer, or a peer's log), logged under their own LSNs.</summary>
        public ShardRecord[]? Records { get; } = records;

        /// <summary>Where the write's log entries start in its group, how many it has, and how many held records it skipped.</summary>
        public int EntryStart { get; set; }

        /// <inheritdoc cref="EntryStart"/>
        public int EntryCount { get; set; }

        /// <inheritdoc cref="EntryStart"/>
        public int Skipped { get; set; }

        /// <summary>Why the writer refused this write within its group (records that leave a gap).</summary>
        public ClusterException? Refusal { get; set; }

        /// <summary>For <see cref="Records"/>: per record, whether it changed the replica.</summary>
        public bool[]? Changed { get; set; }

        public IReadOnlyList<EncodedPassage>? Upserts { get; } = upserts;

        public IReadOnlyList<string>? Deletes { get; } = deletes;

        /// <summary>Runs on the writer, which has applied everything before it and nothing after.</summary>
        public Action? Step { get; } = step;

        /// <summary>Roughly the log bytes of the write (<see cref="RecordSize"/>).</summary>
        public long EstimatedBytes
        {
            get
            {
                long bytes = 0;
                foreach (EncodedPassage passage in Upserts ?? [])
                {
                    bytes += RecordSize.Of(passage);
                }
                foreach (string id in Deletes ?? [])
                {
                    bytes += RecordSize.OfDelete(id);
                }
                foreach (ShardRecord record in Records ?? [])
                {
                    bytes += RecordSize.Of(record);
                }
                return bytes;
            }
        }

        /// <summary>The span of whoever sent the write, so the commit that makes it durable joins its trace.</summary>
        public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

        public TaskCompletionSource<ShardWriteResponse> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
