using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using DprCluster.Grains.Telemetry;
using DprCluster.Core.Storage;

namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// The shard's write-ahead log: files <c>wal-&lt;first lsn&gt;.log</c> of frames [payload length:u32][CRC32C of
/// length and payload:u32][payload]. Appends are grouped by the caller (one write and at most one fsync per group).
/// Opening replays every record after the snapshot's LSN. A torn tail — an incomplete last record, or zeros to the end
/// of the newest file — is truncated with a warning; a bad length or checksum with a valid record after it, or damage
/// in an older file, is a <see cref="WalCorruptException"/> naming the file and offset. An append that fails is cut
/// back off the file (<see cref="WalAppendException"/>), so a failed write never leaves a half record for the next one
/// to follow. Bytes go through an <see cref="IStorageDevice"/>. Single writer.
/// </summary>
public sealed class WriteAheadLog : IDisposable
{
    private static readonly LsnFileName Names = new("wal-", ".log");
    private const int FrameHeader = 8;

    /// <summary>Frames above this are damage, not data (a record is one passage and its vector).</summary>
    private const int MaxPayload = 64 << 20;

    /// <summary>Largest damaged tail scanned for valid records after it.</summary>
    private const int MaxTailScan = 256 << 20;

    private readonly string _directory;
    private readonly WalSyncMode _sync;
    private readonly IStorageDevice _device;
    private readonly TagList _tags;
    private ILogFile _file;
    private long _goodLength;
    private bool _tailDirty;
    private byte[] _buffer = new byte[1 << 16];

    private WriteAheadLog(string directory, WalSyncMode sync, IStorageDevice device, ILogFile file, long lastLsn, int? shardId)
    {
        _directory = directory;
        _sync = sync;
        _device = device;
        _file = file;
        _goodLength = file.Length;
        LastLsn = lastLsn;
        if (shardId is int shard)
        {
            _tags.Add(DprClusterTelemetry.Attributes.Shard, shard);
        }
    }

    /// <summary>LSN of the last record written or replayed.</summary>
    public long LastLsn { get; private set; }

    /// <summary>Bytes in all log files.</summary>
    public long Bytes
    {
        get
        {
            long total = 0;
            foreach ((string path, _) in ListFiles(_directory))
            {
                total += new FileInfo(path).Length;
            }
            return total;
        }
    }

    /// <summary>
    /// Replays every record with an LSN above <paramref name="afterLsn"/> through <paramref name="apply"/>, in order,
    /// then opens the log for appending. <paramref name="shardId"/>, when given, labels the log's metrics;
    /// <paramref name="warn"/> hears about truncated tails; <paramref name="device"/> defaults to the real disk.
    /// </summary>
    public static WriteAheadLog Open(string directory, long afterLsn, WalSyncMode sync, Action<WalEntry> apply, int? shardId = null,
        IStorageDevice? device = null, Action<string>? warn = null)
    {
        device ??= FileStorageDevice.Instance;
        Directory.CreateDirectory(directory);
        List<(string Path, long Lsn)> files = ListFiles(directory);
        long last = afterLsn;
        long newestInLastFile = 0;
        for (int i = 0; i < files.Count; i++)
        {
            newestInLastFile = files[i].Lsn - 1;
            Replay(files[i].Path, isLast: i == files.Count - 1, afterLsn, ref last, ref newestInLastFile, apply, warn);
        }
        // A newest file that ends before the snapshot (a crash while a peer's snapshot was being installed) is not
        // appended to: the next record starts a file of its own, so every file starts at the LSN in its name.
        ILogFile file = files.Count == 0 || newestInLastFile < afterLsn
            ? Create(device, directory, last + 1)
            : device.OpenAppend(files[^1].Path);
        return new WriteAheadLog(directory, sync, device, file, last, shardId);
    }

    /// <summary>
    /// Starts a log whose first record will be <paramref name="afterLsn"/> + 1, in a new file beside whatever files the
    /// directory still holds (older ones are then deleted with <see cref="DeleteBefore"/>).
    /// </summary>
    public static WriteAheadLog StartAfter(string directory, long afterLsn, WalSyncMode sync, int? shardId = null, IStorageDevice? device = null)
    {
        device ??= FileStorageDevice.Instance;
        return new WriteAheadLog(directory, sync, device, Create(device, directory, afterLsn + 1), afterLsn, shardId);
    }

    /// <summary>Deletes the log files of <paramref name="directory"/> whose names start before <paramref name="firstLsn"/>.</summary>
    public static void DeleteBefore(string directory, long firstLsn)
    {
        foreach ((string path, long lsn) in ListFiles(directory))
        {
            if (lsn < firstLsn)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>
    /// Appends <paramref name="entries"/> (their LSNs must follow <see cref="LastLsn"/>) in one write, then fsyncs
    /// when the policy says so. When this returns, the entries are as durable as the policy promises; when it throws
    /// <see cref="WalAppendException"/>, none of them count and <see cref="LastLsn"/> is unchanged.
    /// </summary>
    public void Append(IReadOnlyList<WalEntry> entries)
    {
        if (_tailDirty)
        {
            try
            {
                RestoreTail();
            }
            catch (IOException e)
            {
                // The earlier failed append is still on the file: nothing may follow it yet.
                throw new WalAppendException($"log append failed: {e.Message}", WalAppendException.IsDiskFull(e), false, e);
            }
        }
        int total = 0;
        foreach (WalEntry entry in entries)
        {
            total += FrameHeader + entry.PayloadLength;
        }
        if (_buffer.Length < total)
        {
            _buffer = new byte[Math.Max(total, _buffer.Length * 2)];
        }
        int at = 0;
        long expected = LastLsn + 1;
        foreach (WalEntry entry in entries)
        {
            if (entry.Lsn != expected++)
            {
                throw new InvalidOperationException($"log entries must be numbered consecutively; got {entry.Lsn}, expected {expected - 1}");
            }
            int length = entry.PayloadLength;
            Span<byte> frame = _buffer.AsSpan(at, FrameHeader + length);
            entry.Write(frame[FrameHeader..]);
            BinaryPrimitives.WriteInt32LittleEndian(frame, length);
            BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], FrameChecksum(frame[..4], frame[FrameHeader..]));
            at += frame.Length;
        }
        using Activity? span = SampledSpans.Start(WalTelemetry.Source, DprClusterTelemetry.Spans.WalAppend);
        span?.SetTag(DprClusterTelemetry.Attributes.Count, entries.Count);
        long flushing;
        try
        {
            _file.Write(_buffer.AsSpan(0, at));
            flushing = Stopwatch.GetTimestamp();
            _file.Flush(toDisk: _sync == WalSyncMode.Always);
        }
        catch (IOException e)
        {
            // Part of the group may be on disk; cut it off so the next append does not follow a half record.
            _tailDirty = true;
            bool restored = TryRestoreTail();
            throw new WalAppendException($"log append failed: {e.Message}", WalAppendException.IsDiskFull(e), restored, e);
        }
        _goodLength += at;
        if (_sync == WalSyncMode.Always)
        {
            WalTelemetry.RecordFsync(_tags, flushing);
        }
        WalTelemetry.RecordAppend(_tags, entries.Count, at);
        LastLsn = expected - 1;
    }

    /// <summary>
    /// Up to <paramref name="maxRecords"/> records (and about <paramref name="maxBytes"/>) after <paramref name="afterLsn"/>,
    /// read from the files while the writer goes on: only records up to the durable <see cref="LastLsn"/> of the moment
    /// of the call, so a failed append being cut off is never read. Null when the oldest file kept starts after
    /// <paramref name="afterLsn"/> + 1: a snapshot replaced the records wanted.
    /// </summary>
    public List<WalEntry>? ReadAfter(long afterLsn, int maxRecords, long maxBytes)
    {
        long through = LastLsn;
        var entries = new List<WalEntry>();
        if (afterLsn >= through)
        {
            return entries;
        }
        List<(string Path, long Lsn)> files = ListFiles(_directory);
        int first = -1;
        for (int i = 0; i < files.Count && files[i].Lsn <= afterLsn + 1; i++)
        {
            first = i;
        }
        if (first < 0)
        {
            return null;
        }
        long bytes = 0;
        for (int i = first; i < files.Count && entries.Count < maxRecords && bytes < maxBytes; i++)
        {
            if (!ReadFile(files[i].Path, afterLsn, through, maxRecords, maxBytes, entries, ref bytes))
            {
                // Deleted by a rotation meanwhile: what is wanted now lies past a snapshot.
                return entries.Count > 0 ? entries : null;
            }
            if (entries.Count > 0 && entries[^1].Lsn >= through)
            {
                break;
            }
        }
        return entries;
    }

    private static bool ReadFile(string path, long afterLsn, long through, int maxRecords, long maxBytes, List<WalEntry> entries, ref long bytes)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        using (stream)
        {
            Span<byte> header = stackalloc byte[FrameHeader];
            long length = stream.Length;
            long offset = 0;
            while (offset + FrameHeader <= length && entries.Count < maxRecords && bytes < maxBytes)
            {
                stream.ReadExactly(header);
                int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header);
                if (payloadLength < 0 || payloadLength > MaxPayload || offset + FrameHeader + payloadLength > length)
                {
                    break; // the end of what the writer has written so far
                }
                byte[] payload = ArrayPool<byte>.Shared.Rent(payloadLength);
                try
                {
                    stream.ReadExactly(payload, 0, payloadLength);
                    if (FrameChecksum(header[..4], payload.AsSpan(0, payloadLength)) != BinaryPrimitives.ReadUInt32LittleEndian(header[4..]))
                    {
                        break;
                    }
                    WalEntry entry = WalEntry.Read(payload.AsSpan(0, payloadLength));
                    if (entry.Lsn > through)
                    {
                        return true;
                    }
                    if (entry.Lsn > afterLsn)
                    {
                        if (entry.Lsn != (entries.Count == 0 ? afterLsn + 1 : entries[^1].Lsn + 1))
                        {
                            throw new InvalidDataException($"{path}: LSN {entry.Lsn} does not follow {(entries.Count == 0 ? afterLsn : entries[^1].Lsn)}");
                        }
                        entries.Add(entry);
                        bytes += FrameHeader + payloadLength;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(payload);
                }
                offset += FrameHeader + payloadLength;
            }
        }
        return true;
    }

    /// <summary>Cuts a failed append off the file; throws <see cref="IOException"/> when the disk still refuses.</summary>
    public void RestoreTail()
    {
        if (_tailDirty)
        {
            _file.Truncate(_goodLength);
            _tailDirty = false;
        }
    }

    /// <summary>Asks the disk to take <paramref name="bytes"/> in the log's directory; throws when it refuses.</summary>
    public void ProbeWrite(int bytes) => _device.ProbeWrite(_directory, bytes);

    /// <summary>
    /// Starts a new log file after a snapshot and deletes the files whose records are all at or below
    /// <paramref name="obsoleteThroughLsn"/> (the LSN of the oldest snapshot still kept). When the new file cannot be
    /// created the log goes on in the current one. A current file that holds no record already starts at the next LSN
    /// and is kept. A failed append is cut off first, so no older file ever ends in a broken record.
    /// </summary>
    public void Rotate(long obsoleteThroughLsn)
    {
        RestoreTail();
        if (_goodLength > 0)
        {
            // Flushed first: once the new file exists it is the newest, and everything before it must be durable.
            _file.Flush(toDisk: true);
            ILogFile next = Create(_device, _directory, LastLsn + 1);
            _file.Dispose();
            _file = next;
            _goodLength = 0;
        }
        List<(string Path, long Lsn)> files = ListFiles(_directory);
        for (int i = 0; i + 1 < files.Count; i++)
        {
            if (files[i + 1].Lsn - 1 <= obsoleteThroughLsn)
            {
                File.Delete(files[i].Path);
            }
        }
        DirectorySync.Flush(_directory);
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private static uint FrameChecksum(ReadOnlySpan<byte> length, ReadOnlySpan<byte> payload) =>
        Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Seed, length), payload));

    private bool TryRestoreTail()
    {
        try
        {
            RestoreTail();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static ILogFile Create(IStorageDevice device, string directory, long firstLsn)
    {
        string path = Path.Combine(directory, Names.Format(firstLsn));
        ILogFile file = device.Create(path);
        try
        {
            DirectorySync.Flush(directory);
            return file;
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }
    }

    private static List<(string Path, long Lsn)> ListFiles(string directory) => Names.List(directory);

    private static void Replay(string path, bool isLast, long afterLsn, ref long last, ref long newest, Action<WalEntry> apply, Action<string>? warn)
    {
        long tornAt = -1;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        {
            long length = stream.Length;
            Span<byte> header = stackalloc byte[FrameHeader];
            long offset = 0;
            while (offset < length)
            {
                if (length - offset < FrameHeader)
                {
                    tornAt = TornOrCorrupt(path, offset, isLast, "file ends inside a record header");
                    break;
                }
                stream.ReadExactly(header);
                int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header);
                uint stored = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                long end = offset + FrameHeader + (long)payloadLength;
                if (payloadLength < 0 || payloadLength > MaxPayload || end > length)
                {
                    // A write cut short runs past the end of the last file, with nothing valid after it; a damaged
                    // length field with records after it is damage, and cutting there would drop them.
                    tornAt = TornOrCorrupt(path, offset, isLast && !ValidFrameFollows(stream, offset, length),
                        $"record length {payloadLength} does not fit the file");
                    break;
                }
                byte[] payload = ArrayPool<byte>.Shared.Rent(payloadLength);
                try
                {
                    stream.ReadExactly(payload, 0, payloadLength);
                    if (FrameChecksum(header[..4], payload.AsSpan(0, payloadLength)) != stored)
                    {
                        tornAt = TornOrCorrupt(path, offset, isLast && !ValidFrameFollows(stream, offset, length), "checksum mismatch");
                        break;
                    }
                    WalEntry entry;
                    try
                    {
                        entry = WalEntry.Read(payload.AsSpan(0, payloadLength));
                    }
                    catch (InvalidDataException e)
                    {
                        throw new WalCorruptException(path, offset, e.Message);
                    }
                    newest = entry.Lsn;
                    if (entry.Lsn > afterLsn)
                    {
                        if (entry.Lsn != last + 1)
                        {
                            throw new WalCorruptException(path, offset, $"LSN {entry.Lsn} follows {last}");
                        }
                        apply(entry);
                        last = entry.Lsn;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(payload);
                }
                offset = end;
            }
        }
        if (tornAt >= 0)
        {
            long dropped;
            using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read))
            {
                dropped = truncate.Length - tornAt;
                truncate.SetLength(tornAt);
                truncate.Flush(flushToDisk: true);
            }
            warn?.Invoke($"{path}: torn tail of {dropped} bytes at offset {tornAt} truncated (a write that never completed)");
        }
    }

    private static bool ZerosToEnd(FileStream stream, long offset, long length)
    {
        stream.Position = offset;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            for (long left = length - offset; left > 0;)
            {
                int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, left));
                if (read == 0 || chunk.AsSpan(0, read).ContainsAnyExcept((byte)0))
                {
                    return false;
                }
                left -= read;
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// Whether a frame with a valid checksum starts anywhere after <paramref name="offset"/> (a rest of only zeros has
    /// none: what some filesystems leave after a power loss). A rest too large to scan counts as valid data, so a
    /// doubtful tail is reported as damage rather than cut.
    /// </summary>
    private static bool ValidFrameFollows(FileStream stream, long offset, long length)
    {
        if (ZerosToEnd(stream, offset, length))
        {
            return false;
        }
        if (length - offset > MaxTailScan)
        {
            return true;
        }
        var rest = new byte[length - offset];
        stream.Position = offset;
        stream.ReadExactly(rest);
        for (int at = 1; at + FrameHeader <= rest.Length; at++)
        {
            int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(rest.AsSpan(at));
            if (payloadLength <= 0 || payloadLength > rest.Length - at - FrameHeader)
            {
                continue;
            }
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(rest.AsSpan(at + 4));
            if (FrameChecksum(rest.AsSpan(at, 4), rest.AsSpan(at + FrameHeader, payloadLength)) == stored)
            {
                return true;
            }
        }
        return false;
    }

    private static long TornOrCorrupt(string path, long offset, bool torn, string problem) =>
        torn ? offset : throw new WalCorruptException(path, offset, problem);
}
