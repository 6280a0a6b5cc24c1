using System.Diagnostics;
using DprCluster.Abstractions;
using DprCluster.Core.Passages;
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

    /// <summary>Deletes passages; unknown ids are ignored and not counted.</summary>
    public Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken)
    {
        Serving();
        ArgumentNullException.ThrowIfNull(request);
        foreach (string id in request.Ids)
        {
            if (PassageLimits.CheckId(id) is { } problem)
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, problem);
            }
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

    private void ValidatePassage(EncodedPassage passage)
    {
        if (passage?.Passage is null || passage.Vector is null)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "passage and vector are required");
        }
        Passage p = passage.Passage;
        // The same limits the REST layer checks: what passes here is logged, and what is logged must replay.
        if (PassageLimits.CheckPassage(p.Id, p.Title, p.Text, p.Metadata) is { } problem)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, problem);
        }
        if (passage.Vector.Length != _options.Dimensions)
        {
            throw new ClusterException(ClusterErrorCodes.DimensionMismatch,
                $"passage '{passage.Passage.Id}' has a {passage.Vector.Length}-dimensional vector; shard {ShardId} stores {_options.Dimensions}");
        }
        if (PassageLimits.CheckVector(passage.Vector) is { } badVector)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"passage '{p.Id}': {badVector}");
        }
    }

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
                RunWriterSteps();
                CommitGroup(group, entries);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Whatever broke, no write may wait forever on a loop that stopped: fail them, and stop the replica
                // (its log holds everything acknowledged; a restart recovers it).
                _error = $"the write loop failed: {e.Message}";
                _state = ShardState.Failed;
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
        foreach (PendingWrite write in group)
        {
            foreach (EncodedPassage passage in write.Upserts ?? [])
            {
                entries.Add(new WalEntry(++lsn, WalEntryKind.Upsert, passage, null));
            }
            foreach (string id in write.Deletes ?? [])
            {
                entries.Add(new WalEntry(++lsn, WalEntryKind.Delete, null, id));
            }
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
        int next = 0;
        foreach (PendingWrite write in group)
        {
            int count = (write.Upserts?.Count ?? 0) + (write.Deletes?.Count ?? 0);
            int applied = 0;
            for (int i = 0; i < count; i++)
            {
                applied += Apply(_data!, entries[next++]) ? 1 : 0;
            }
            write.Done.TrySetResult(new ShardWriteResponse(ShardId, next == 0 ? _log!.LastLsn : entries[next - 1].Lsn, applied));
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
            _state = ShardState.ReadOnly;
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
        _state = ShardState.Serving;
    }

    /// <summary>A write for the writer's queue, or (with <see cref="Step"/>) a short step to run between two group commits.</summary>
    private sealed class PendingWrite(IReadOnlyList<EncodedPassage>? upserts, IReadOnlyList<string>? deletes, Action? step)
    {
        public IReadOnlyList<EncodedPassage>? Upserts { get; } = upserts;

        public IReadOnlyList<string>? Deletes { get; } = deletes;

        /// <summary>Runs on the writer, which has applied everything before it and nothing after.</summary>
        public Action? Step { get; } = step;

        /// <summary>Roughly the log bytes of the write (UTF-16 lengths as UTF-8 upper bounds, and the vectors).</summary>
        public long EstimatedBytes
        {
            get
            {
                long bytes = 0;
                foreach (EncodedPassage passage in Upserts ?? [])
                {
                    bytes += 3L * (passage.Passage.Id.Length + passage.Passage.Title.Length + passage.Passage.Text.Length)
                        + 4L * passage.Vector.Length + 64;
                }
                foreach (string id in Deletes ?? [])
                {
                    bytes += 3L * id.Length + 16;
                }
                return bytes;
            }
        }

        /// <summary>The span of whoever sent the write, so the commit that makes it durable joins its trace.</summary>
        public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

        public TaskCompletionSource<ShardWriteResponse> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
