namespace DprCluster.Grains.Shard.Storage;

/// <summary>The real disk: log files are <see cref="FileStream"/>s without buffering of their own; snapshots buffer 1 MiB.</summary>
public sealed class FileStorageDevice : IStorageDevice
{
    /// <summary>The one instance.</summary>
    public static FileStorageDevice Instance { get; } = new();

    private FileStorageDevice()
    {
    }

    /// <inheritdoc />
    public ILogFile Create(string path) => new File(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None));

    /// <inheritdoc />
    public ILogFile OpenAppend(string path) => new File(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1, FileOptions.None));

    /// <inheritdoc />
    public FileStream CreateSnapshot(string path) => new(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);

    /// <inheritdoc />
    public void ProbeWrite(string directory, int bytes)
    {
        string path = Path.Combine(directory, ".write-probe");
        try
        {
            using var probe = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            probe.Write(new byte[bytes]);
            probe.Flush(flushToDisk: true);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    private sealed class File(FileStream stream) : ILogFile
    {
        public long Length => stream.Length;

        public void Write(ReadOnlySpan<byte> data) => stream.Write(data);

        public void Flush(bool toDisk) => stream.Flush(toDisk);

        public void Truncate(long length)
        {
            stream.SetLength(length);
            stream.Seek(0, SeekOrigin.End);
            stream.Flush(flushToDisk: true);
        }

        public void Dispose() => stream.Dispose();
    }
}
