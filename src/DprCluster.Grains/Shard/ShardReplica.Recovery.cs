using System.Diagnostics;
using DprCluster.Abstractions;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Grains.Telemetry;

namespace DprCluster.Grains.Shard;

public sealed partial class ShardReplica
{
    /// <summary>Deletes snapshot temporaries a crash or a full disk left behind: they were never renamed into place.</summary>
    private void RemoveStaleTemporaries()
    {
        if (!Directory.Exists(_directory))
        {
            return;
        }
        foreach (string temporary in Directory.GetFiles(_directory, "*.tmp"))
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Newest readable snapshot (an unreadable one falls back to the one before), then the log after it.</summary>
    private void Recover()
    {
        Directory.CreateDirectory(_directory);
        ShardContents? contents = null;
        var skipped = new List<string>();
        foreach ((string path, long lsn) in ShardSnapshot.List(_directory))
        {
            try
            {
                contents = ShardSnapshot.Read(path, ShardId, Indexing, _directory);
                _snapshotBytes = new FileInfo(path).Length;
                break;
            }
            catch (IOException e)
            {
                // The log still covers everything after the previous snapshot, so falling back loses nothing.
                skipped.Add($"damaged snapshot {Path.GetFileName(path)}: {e.Message}");
            }
        }
        contents ??= CreateEmpty();
        if (contents.Vectors.Dimensions != _options.Dimensions)
        {
            throw new InvalidDataException(
                $"shard {ShardId} holds {contents.Vectors.Dimensions}-dimensional vectors but the encoder produces {_options.Dimensions}");
        }
        try
        {
            _log = WriteAheadLog.Open(_directory, contents.Lsn, _options.Sync, entry => Apply(contents, entry), ShardId, _options.Device,
                skipped.Add);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"shard {ShardId}: a log record cannot be applied: {e.Message}", e);
        }
        _snapshotLsn = contents.Lsn;
        _previousSnapshotLsn = contents.Lsn;
        _data = contents;
        if (skipped.Count > 0)
        {
            // Not an error — nothing acknowledged was lost — but worth an operator's look, so it shows in /v1/cluster.
            _error = "recovered past: " + string.Join("; ", skipped);
        }
    }

    /// <summary>Applies one log record to the shard's structures; false when a delete found nothing.</summary>
    private static bool Apply(ShardContents contents, WalEntry entry)
    {
        if (entry.Kind == WalEntryKind.Upsert)
        {
            EncodedPassage upsert = entry.Upsert!;
            // Store first, graph second: a search that finds the key can always resolve it.
            long key = contents.Passages.Upsert(upsert.Passage);
            contents.Vectors.Add(key, upsert.Vector);
            contents.Postings.Upsert(upsert.Passage.Id, upsert.Passage.Title, upsert.Passage.Text);
            return true;
        }
        long? existing = contents.Passages.KeyOf(entry.DeletedId!);
        if (existing is null)
        {
            return false;
        }
        contents.Vectors.Remove(existing.Value);
        contents.Postings.Delete(entry.DeletedId!);
        contents.Passages.Remove(entry.DeletedId!);
        return true;
    }
}
