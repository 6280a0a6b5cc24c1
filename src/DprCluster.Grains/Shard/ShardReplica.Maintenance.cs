using System.Diagnostics;
using System.Threading.Channels;
using DprCluster.Abstractions;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Grains.Telemetry;
using DprCluster.Index.Hnsw;

namespace DprCluster.Grains.Shard;

public sealed partial class ShardReplica
{
    /// <summary>Deleted / slots above which the maintenance task rebuilds the graph.</summary>
    private const double CompactionTombstoneRatio = 0.3;

    /// <summary>Snapshot requests: null from the writer (one is due), or a caller waiting for a durable snapshot.</summary>
    private readonly Channel<TaskCompletionSource?> _maintenanceRequests =
        Channel.CreateUnbounded<TaskCompletionSource?>(new UnboundedChannelOptions { SingleReader = true });

    private Task _maintenance = Task.CompletedTask;

    /// <summary>1 while the writer's request for a due snapshot is pending, so it asks once.</summary>
    private int _snapshotDue;

    /// <summary>Writes a snapshot of everything acknowledged so far and returns once it is durable; writes go on meanwhile.</summary>
    public Task SnapshotAsync(CancellationToken cancellationToken = default)
    {
        Serving();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_maintenanceRequests.Writer.TryWrite(done))
        {
            throw new ClusterException(ClusterErrorCodes.ShardUnavailable, $"shard {ShardId} is shutting down");
        }
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Asks the maintenance task for a snapshot; from the writer, once per due snapshot.</summary>
    private void RequestSnapshot(TaskCompletionSource? caller)
    {
        if (caller is not null || Interlocked.CompareExchange(ref _snapshotDue, 1, 0) == 0)
        {
            _maintenanceRequests.Writer.TryWrite(caller);
        }
    }

    /// <summary>
    /// Snapshots and compaction, beside the writer: the writer only freezes the contents between two group commits
    /// and later rotates the log; serialising, fsyncing and rebuilding the graph happen here while writes go on.
    /// </summary>
    private async Task RunMaintenanceAsync()
    {
        var callers = new List<TaskCompletionSource>();
        while (await _maintenanceRequests.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            callers.Clear();
            while (_maintenanceRequests.Reader.TryRead(out TaskCompletionSource? caller))
            {
                if (caller is not null)
                {
                    callers.Add(caller);
                }
            }
            await _contentsSwap.WaitAsync().ConfigureAwait(false);
            try
            {
                await SnapshotBesideWritesAsync().ConfigureAwait(false);
                foreach (TaskCompletionSource caller in callers)
                {
                    caller.TrySetResult();
                }
            }
            catch (Exception e)
            {
                // Any failure, an allocation included: this task must outlive it, or callers would wait forever.
                // A failed snapshot loses nothing (the log still has every record); writes go on, the next one retries.
                ShardTelemetry.RecordSnapshotFailure(ShardTag);
                var failure = e as ClusterException ?? new ClusterException(ClusterErrorCodes.Internal, $"snapshot failed: {e.Message}", e);
                foreach (TaskCompletionSource caller in callers)
                {
                    caller.TrySetException(failure);
                }
            }
            finally
            {
                Volatile.Write(ref _snapshotDue, 0);
            }
            if (!_stopping.IsCancellationRequested)
            {
                try
                {
                    CompactBesideWrites();
                }
                catch (Exception e)
                {
                    // A second graph may not fit: the abandoned compaction leaves the index as it was, and the next
                    // snapshot retries. Shown in /v1/cluster unless the replica already reports a disk problem.
                    if (_state == ShardState.Serving)
                    {
                        _error = $"graph compaction failed: {e.Message}";
                    }
                }
            }
            _contentsSwap.Release();
        }
    }

    /// <summary>
    /// Freezes the contents on the writer, writes them to <c>snapshot-&lt;lsn&gt;.bin</c> here, keeps it and the one
    /// before, and has the writer start a new log file, dropping files older than the one before: a damaged newest
    /// snapshot can always fall back.
    /// </summary>
    private async Task SnapshotBesideWritesAsync()
    {
        ShardContentsView? view = null;
        await RunOnWriterAsync(() =>
        {
            long lsn = _log!.LastLsn;
            if (lsn != Interlocked.Read(ref _snapshotLsn))
            {
                long paused = Stopwatch.GetTimestamp();
                view = ShardContentsView.Of(_data!, lsn);
                ShardTelemetry.RecordWriterPause(ShardTag, paused);
            }
        }).ConfigureAwait(false);
        if (view is null)
        {
            return;
        }
        long started = Stopwatch.GetTimestamp();
        using (Activity? span = StartSpan(DprClusterTelemetry.Spans.Snapshot))
        using (view)
        {
            string written = ShardSnapshot.Write(_options.Device, _directory, ShardId, view);
            Interlocked.Exchange(ref _snapshotBytes, new FileInfo(written).Length);
        }
        long keep = Interlocked.Read(ref _snapshotLsn);
        foreach ((string path, long snapshotLsn) in ShardSnapshot.List(_directory))
        {
            if (snapshotLsn < keep)
            {
                File.Delete(path);
            }
        }
        Interlocked.Exchange(ref _snapshotLsn, view.Lsn);
        _previousSnapshotLsn = keep;
        ShardTelemetry.RecordSnapshot(ShardTag, started);
        await RunOnWriterAsync(() => _log!.Rotate(obsoleteThroughLsn: keep)).ConfigureAwait(false);
    }

    /// <summary>Rebuilds the graph when deletes wore it down; the index journals the writes made meanwhile.</summary>
    private void CompactBesideWrites()
    {
        using HnswCompaction? compaction = _data!.Vectors.Graph.BeginCompaction(CompactionTombstoneRatio);
        if (compaction is null)
        {
            return;
        }
        long started = Stopwatch.GetTimestamp();
        using Activity? span = StartSpan(DprClusterTelemetry.Spans.Compaction);
        // Half the cores: searches keep the rest.
        compaction.Build(threads: Math.Max(1, Environment.ProcessorCount / 2));
        compaction.Complete();
        ShardTelemetry.RecordCompaction(ShardTag, started);
    }

    /// <summary>Runs <paramref name="step"/> on the writer between two group commits and waits for it.</summary>
    private Task RunOnWriterAsync(Action step)
    {
        var pending = new PendingWrite(null, null, step);
        if (!_writes.Writer.TryWrite(pending))
        {
            throw new ClusterException(ClusterErrorCodes.ShardUnavailable, $"shard {ShardId} is shutting down");
        }
        return pending.Done.Task;
    }
}
