namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// Where a shard replica's bytes go: the log files it appends to, the snapshot files it writes, and a probe of whether
/// the disk takes writes. The seam lets fault tests replace the disk (short writes, ENOSPC, failed fsyncs, a snapshot
/// that stalls) without touching the log's or the snapshot's logic.
/// </summary>
public interface IStorageDevice
{
    /// <summary>Creates (or replaces) the snapshot temporary <paramref name="path"/> for writing and seeking.</summary>
    FileStream CreateSnapshot(string path);

    /// <summary>Creates <paramref name="path"/> for appending (it must not exist).</summary>
    ILogFile Create(string path);

    /// <summary>Opens the existing <paramref name="path"/> for appending at its end.</summary>
    ILogFile OpenAppend(string path);

    /// <summary>Writes, syncs and removes a scratch file of <paramref name="bytes"/> in <paramref name="directory"/>; throws when the disk refuses.</summary>
    void ProbeWrite(string directory, int bytes);
}

/// <summary>One log file open for appending.</summary>
public interface ILogFile : IDisposable
{
    /// <summary>Bytes in the file as this handle sees them.</summary>
    long Length { get; }

    /// <summary>Appends <paramref name="data"/>; may have written part of it when it throws.</summary>
    void Write(ReadOnlySpan<byte> data);

    /// <summary>Flushes buffered bytes, and to the disk itself when <paramref name="toDisk"/>.</summary>
    void Flush(bool toDisk);

    /// <summary>Cuts the file to <paramref name="length"/> bytes and syncs it, so appends continue from there.</summary>
    void Truncate(long length);
}
