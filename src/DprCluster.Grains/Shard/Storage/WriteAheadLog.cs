using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using DprCluster.Grains.Telemetry;
using DprCluster.Core.Storage;

namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// The shard's write-ahead log: files <c>wal-&lt;first lsn&gt;.log</c> of frames [payload length:u32][CRC32C of
/// length and payload:u32][payload]. Appends are grouped by the caller (one write and at most one fsync per group).
/// Opening replays every record after the snapshot's LSN: a torn last record is truncated, damage anywhere else is a
/// <see cref="WalCorruptException"/> naming the file and offset. Single writer.
/// </summary>
public sealed class WriteAheadLog : IDisposable
{
    private static readonly LsnFileName Names = new("wal-", ".log");
    private const int FrameHeader = 8;

    /// <summary>Frames above this are damage, not data (a record is one passage and its vector).</summary>
    private const int MaxPayload = 64 << 20;

    private readonly string _directory;
    private readonly WalSyncMode _sync;
    private readonly TagList _tags;
    private FileStream _file;
    private byte[] _buffer = new byte[1 << 16];

    private WriteAheadLog(string directory, WalSyncMode sync, FileStream file, long lastLsn, int? shardId)
    {
        _directory = directory;
        _sync = sync;
        _file = file;
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
    /// then opens the log for appending. <paramref name="shardId"/>, when given, labels the log's metrics.
    /// </summary>
    public static WriteAheadLog Open(string directory, long afterLsn, WalSyncMode sync, Action<WalEntry> apply, int? shardId = null)
    {
        Directory.CreateDirectory(directory);
        List<(string Path, long Lsn)> files = ListFiles(directory);
        long last = afterLsn;
        for (int i = 0; i < files.Count; i++)
        {
            Replay(files[i].Path, isLast: i == files.Count - 1, afterLsn, ref last, apply);
        }
        FileStream file = files.Count == 0
            ? Create(directory, last + 1)
            : new FileStream(files[^1].Path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        return new WriteAheadLog(directory, sync, file, last, shardId);
    }

    /// <summary>
    /// Appends <paramref name="entries"/> (their LSNs must follow <see cref="LastLsn"/>) in one write, then fsyncs
    /// when the policy says so. When this returns, the entries are as durable as the policy promises.
    /// </summary>
    public void Append(IReadOnlyList<WalEntry> entries)
    {
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
        _file.Write(_buffer, 0, at);
        long flushing = Stopwatch.GetTimestamp();
        _file.Flush(flushToDisk: _sync == WalSyncMode.Always);
        if (_sync == WalSyncMode.Always)
        {
            WalTelemetry.RecordFsync(_tags, flushing);
        }
        WalTelemetry.RecordAppend(_tags, entries.Count, at);
        LastLsn = expected - 1;
    }

    /// <summary>
    /// Starts a new log file after a snapshot and deletes the files whose records are all at or below
    /// <paramref name="obsoleteThroughLsn"/> (the LSN of the oldest snapshot still kept).
    /// </summary>
    public void Rotate(long obsoleteThroughLsn)
    {
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        _file = Create(_directory, LastLsn + 1);
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

    private static FileStream Create(string directory, long firstLsn)
    {
        string path = Path.Combine(directory, Names.Format(firstLsn));
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        DirectorySync.Flush(directory);
        return file;
    }

    private static List<(string Path, long Lsn)> ListFiles(string directory) => Names.List(directory);

    private static void Replay(string path, bool isLast, long afterLsn, ref long last, Action<WalEntry> apply)
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
                    // A frame running past the end of the last file is a write cut short; anywhere else it is damage.
                    tornAt = TornOrCorrupt(path, offset, isLast && end > length, $"record length {payloadLength} does not fit the file");
                    break;
                }
                byte[] payload = ArrayPool<byte>.Shared.Rent(payloadLength);
                try
                {
                    stream.ReadExactly(payload, 0, payloadLength);
                    if (FrameChecksum(header[..4], payload.AsSpan(0, payloadLength)) != stored)
                    {
                        tornAt = TornOrCorrupt(path, offset, isLast && end == length, "checksum mismatch");
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
            using var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            truncate.SetLength(tornAt);
            truncate.Flush(flushToDisk: true);
        }
    }

    private static long TornOrCorrupt(string path, long offset, bool torn, string problem) =>
        torn ? offset : throw new WalCorruptException(path, offset, problem);
}
