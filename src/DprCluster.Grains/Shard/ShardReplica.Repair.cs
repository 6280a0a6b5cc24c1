using System.Diagnostics;
using DprCluster.Abstractions;
using DprCluster.Core.Storage;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Grains.Telemetry;

namespace DprCluster.Grains.Shard;

public sealed partial class ShardReplica
{
    /// <summary>Largest piece of a peer's snapshot one call copies.</summary>
    private const int SnapshotChunkBytes = 4 << 20;

    /// <summary>Consecutive failed copy attempts after which a repair gives up until the writer asks again.</summary>
    private const int MaxRepairFailures = 5;

    private readonly IReadOnlyList<IShardReplicaGrain> _peers;

    /// <summary>Held by a snapshot or compaction and by a snapshot install, which replaces the contents they work on.</summary>
    private readonly SemaphoreSlim _contentsSwap = new(1, 1);

    private Task _repair = Task.CompletedTask;

    /// <summary>1 while a repair runs, so there is one at a time.</summary>
    private int _repairing;

    private string? _repairError;

    /// <summary>The shard's writer has sent records up to <paramref name="lsn"/>: catch up when this replica lacks some.</summary>
    public Task CatchUpAsync(long lsn)
    {
        if (_log is { } log && lsn > log.LastLsn && _state is ShardState.Serving or ShardState.CatchingUp)
        {
            StartCatchingUp();
        }
        return Task.CompletedTask;
    }

    /// <summary>Durable records after <paramref name="afterLsn"/> for a peer, or the snapshot to copy when the log no longer reaches back.</summary>
    public Task<ShardLogChunk> ReadLogAsync(long afterLsn, int maxRecords)
    {
        ReadableLog();
        List<WalEntry>? entries = _log!.ReadAfter(afterLsn, Math.Clamp(maxRecords, 1, _options.MaxGroupCommit * 16), MaxGroupBytes / 2);
        if (entries is null)
        {
            List<(string Path, long Lsn)> snapshots = ShardSnapshot.List(_directory);
            if (snapshots.Count == 0)
            {
                throw new ClusterException(ClusterErrorCodes.ShardUnavailable, $"shard {ShardId}: the log does not reach back to LSN {afterLsn + 1} and there is no snapshot");
            }
            return Task.FromResult(new ShardLogChunk([], _log.LastLsn, snapshots[0].Lsn, new FileInfo(snapshots[0].Path).Length));
        }
        var records = new ShardRecord[entries.Count];
        for (int i = 0; i < records.Length; i++)
        {
            WalEntry entry = entries[i];
            records[i] = new ShardRecord(entry.Lsn, entry.Upsert, entry.DeletedId);
        }
        return Task.FromResult(new ShardLogChunk(records, _log.LastLsn, null, 0));
    }

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="offset"/> of this replica's snapshot at <paramref name="snapshotLsn"/>.</summary>
    public async Task<byte[]> ReadSnapshotAsync(long snapshotLsn, long offset, int count, CancellationToken cancellationToken)
    {
        ReadableLog();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string path = Path.Combine(_directory, ShardSnapshot.FileName(snapshotLsn));
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
            var buffer = new byte[(int)Math.Clamp(file.Length - offset, 0, Math.Clamp(count, 1, SnapshotChunkBytes))];
            file.Position = offset;
            await file.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }
        catch (FileNotFoundException)
        {
            throw new ClusterException(ClusterErrorCodes.ShardUnavailable, $"shard {ShardId}: snapshot {snapshotLsn} was replaced by a newer one; ask again");
        }
    }

    /// <summary>A replica answers peers from its log once recovered, even while it serves no reads.</summary>
    private void ReadableLog()
    {
        if (_state is ShardState.Recovering or ShardState.Failed || _log is null)
        {
            Serving();
        }
    }

    /// <summary>Starts a repair unless one runs; after a restart it also waits a while for peers that are still starting.</summary>
    private void StartCatchingUp(bool afterRestart = false)
    {
        if (_peers.Count == 0 || _stopping.IsCancellationRequested || Interlocked.CompareExchange(ref _repairing, 1, 0) != 0)
        {
            if (afterRestart)
            {
                TransitionState(ShardState.CatchingUp, ShardState.Serving);
            }
            return;
        }
        _repair = Task.Run(() => RepairAsync(afterRestart), CancellationToken.None);
    }

    /// <summary>
    /// Copies from the most advanced peer whatever it logged after this replica's last LSN (its records, or its snapshot
    /// and then its records) until no reachable peer is ahead. Reads are refused meanwhile; the writer's records that
    /// follow on are logged as they come. With no peer reachable the replica serves what it has: it is then the best
    /// copy there is, and the writer's next records or its lag poll bring it back here.
    /// </summary>
    private async Task RepairAsync(bool afterRestart)
    {
        long started = Stopwatch.GetTimestamp();
        int failures = 0;
        try
        {
            while (!_stopping.IsCancellationRequested && _state is ShardState.Serving or ShardState.CatchingUp)
            {
                try
                {
                    (IShardReplicaGrain? peer, long peerLsn) = await MostAdvancedPeerAsync().ConfigureAwait(false);
                    if (peer is null)
                    {
                        if (!afterRestart || Stopwatch.GetElapsedTime(started).TotalMilliseconds > _options.RepairPeerWaitMs)
                        {
                            _repairError = afterRestart ? "no peer replica answered after the restart; serving without checking for missed records" : null;
                            break;
                        }
                        await Task.Delay(250, _stopping.Token).ConfigureAwait(false);
                        continue;
                    }
                    if (peerLsn <= _log!.LastLsn)
                    {
                        _repairError = null;
                        break;
                    }
                    if (!TransitionState(ShardState.Serving, ShardState.CatchingUp) && _state != ShardState.CatchingUp)
                    {
                        break; // read-only or failed meanwhile: it cannot log what it would copy
                    }
                    if (await CopyFromAsync(peer).ConfigureAwait(false))
                    {
                        failures = 0;
                    }
                    else if (++failures >= MaxRepairFailures)
                    {
                        break;
                    }
                    else
                    {
                        await Task.Delay(200 * failures, _stopping.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException && !_stopping.IsCancellationRequested)
                {
                    _repairError = $"catching up failed: {e.Message}";
                    if (++failures >= MaxRepairFailures)
                    {
                        break;
                    }
                    await Task.Delay(200 * failures, _stopping.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the log holds what was copied so far.
        }
        finally
        {
            TransitionState(ShardState.CatchingUp, ShardState.Serving);
            Volatile.Write(ref _repairing, 0);
        }
    }

    /// <summary>The recovered peer with the highest last LSN, or none when no peer answers in time.</summary>
    private async Task<(IShardReplicaGrain? Peer, long Lsn)> MostAdvancedPeerAsync()
    {
        var answers = new Task<ShardStats>[_peers.Count];
        for (int i = 0; i < answers.Length; i++)
        {
            answers[i] = StatsWithin(_peers[i]);
        }
        try
        {
            await Task.WhenAll(answers).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Counted below: a peer that did not answer is not a source.
        }
        IShardReplicaGrain? best = null;
        long bestLsn = -1;
        for (int i = 0; i < answers.Length; i++)
        {
            if (answers[i].IsCompletedSuccessfully && answers[i].Result is { State: not (ShardState.Recovering or ShardState.Failed) } stats
                && stats.LastLsn > bestLsn)
            {
                best = _peers[i];
                bestLsn = stats.LastLsn;
            }
        }
        return (best, bestLsn);

        async Task<ShardStats> StatsWithin(IShardReplicaGrain peer)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            deadline.CancelAfter(_options.RepairCallTimeoutMs);
            return await peer.GetStatsAsync(deadline.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One step of a repair: the peer's next records through the write loop, or its snapshot when its log starts later.
    /// False when the peer sent nothing although it is ahead (its log unreadable at that point): the caller backs off.
    /// </summary>
    private async Task<bool> CopyFromAsync(IShardReplicaGrain peer)
    {
        ShardLogChunk chunk;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            deadline.CancelAfter(_options.RepairCallTimeoutMs);
            chunk = await peer.ReadLogAsync(_log!.LastLsn, _options.MaxGroupCommit * 4, deadline.Token).ConfigureAwait(false);
        }
        if (chunk.SnapshotLsn is long snapshotLsn)
        {
            await InstallSnapshotAsync(peer, snapshotLsn, chunk.SnapshotBytes).ConfigureAwait(false);
            return true;
        }
        if (chunk.Records.Length == 0)
        {
            return false;
        }
        ShardTelemetry.RecordRepaired(ShardTag, chunk.Records.Length);
        await Enqueue(new PendingWrite(null, null, null, chunk.Records), _stopping.Token).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Copies the peer's snapshot into a temporary file, reads it back (every checksum), and has the writer switch to
    /// it: the old log and snapshots go, a new log starts after the snapshot's LSN. Snapshots and compaction wait.
    /// </summary>
    private async Task InstallSnapshotAsync(IShardReplicaGrain peer, long snapshotLsn, long length)
    {
        await _contentsSwap.WaitAsync(_stopping.Token).ConfigureAwait(false);
        string temporary = Path.Combine(_directory, ShardSnapshot.FileName(snapshotLsn) + ".copy.tmp");
        ShardContents? contents = null;
        bool installed = false;
        try
        {
            using (FileStream file = _options.Device.CreateSnapshot(temporary))
            {
                for (long offset = 0; offset < length;)
                {
                    byte[] chunk;
                    using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
                    {
                        deadline.CancelAfter(_options.RepairCallTimeoutMs);
                        chunk = await peer.ReadSnapshotAsync(snapshotLsn, offset, SnapshotChunkBytes, deadline.Token).ConfigureAwait(false);
                    }
                    if (chunk.Length == 0)
                    {
                        throw new IOException($"the peer's snapshot {snapshotLsn} ended at {offset} of {length} bytes");
                    }
                    file.Write(chunk);
                    offset += chunk.Length;
                }
                file.Flush(flushToDisk: true);
            }
            contents = ShardSnapshot.Read(temporary, ShardId, Indexing, _directory);
            if (contents.Lsn != snapshotLsn || contents.Vectors.Dimensions != _options.Dimensions)
            {
                throw new InvalidDataException($"the peer's snapshot holds LSN {contents.Lsn} of {contents.Vectors.Dimensions} dimensions, expected {snapshotLsn} of {_options.Dimensions}");
            }
            ShardContents copied = contents;
            await RunOnWriterAsync(() => installed = SwitchTo(copied, temporary)).ConfigureAwait(false);
            if (installed)
            {
                ShardTelemetry.RecordSnapshotInstalled(ShardTag);
            }
        }
        finally
        {
            try
            {
                // A switch that failed after it took the copy leaves the copy live: that one stays.
                if (!installed && contents is not null && !ReferenceEquals(contents, _data))
                {
                    contents.Vectors.Dispose();
                    contents.Postings.Dispose();
                }
                File.Delete(temporary);
            }
            finally
            {
                _contentsSwap.Release();
            }
        }
    }

    /// <summary>
    /// On the writer: the copied snapshot becomes this replica's only state, with a new log after it. The new log exists
    /// before the old files go, and a crash in between leaves a state recovery reads (the newest snapshot, and a log
    /// whose older files it skips); a failure here stops the replica rather than leaving it half switched.
    /// </summary>
    private bool SwitchTo(ShardContents contents, string temporary)
    {
        if (contents.Lsn <= _log!.LastLsn)
        {
            return false; // the writer's records overtook the copy meanwhile
        }
        try
        {
            string path = Path.Combine(_directory, ShardSnapshot.FileName(contents.Lsn));
            File.Move(temporary, path, overwrite: true);
            DirectorySync.Flush(_directory);
            WriteAheadLog old = _log;
            old.Dispose();
            _log = WriteAheadLog.StartAfter(_directory, contents.Lsn, _options.Sync, ShardId, _options.Device);
            // Searches still holding the old contents finish on them; only its indexer stops.
            _data?.Vectors.Dispose();
            _data = contents;
            Interlocked.Exchange(ref _snapshotLsn, contents.Lsn);
            Interlocked.Exchange(ref _snapshotBytes, new FileInfo(path).Length);
            _previousSnapshotLsn = contents.Lsn;
            // Everything older described a history this replica no longer keeps; the snapshot alone replaces it.
            WriteAheadLog.DeleteBefore(_directory, contents.Lsn + 1);
            foreach ((string older, long lsn) in ShardSnapshot.List(_directory))
            {
                if (lsn != contents.Lsn)
                {
                    File.Delete(older);
                }
            }
            DirectorySync.Flush(_directory);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _error = $"installing a peer's snapshot failed: {e.Message}; restart the silo to recover";
            SetState(ShardState.Failed);
            throw;
        }
    }
}
