using DprCluster.Grains.Shard.Storage;

namespace DprCluster.Grains.Tests;

/// <summary>
/// The real disk with faults switched on by the test: a full disk (every write and probe fails with ENOSPC after
/// writing part of its bytes, as a short write would), one failing fsync, or snapshots that stall until released.
/// </summary>
internal sealed class FaultyStorageDevice : IStorageDevice
{
    private const int NoSpace = 28;

    /// <summary>While true, writes store half their bytes and then fail with ENOSPC; probes fail.</summary>
    public volatile bool DiskFull;

    /// <summary>When set, the next fsync fails with an I/O error (the bytes were written).</summary>
    public volatile bool FailNextFsync;

    /// <summary>When set, each write, fsync and probe fails with this chance: a short write with ENOSPC, or an fsync error.</summary>
    public Random? Chaos;

    /// <summary>Chance of a fault per operation when <see cref="Chaos"/> is set.</summary>
    public double FaultRate = 0.1;

    /// <summary>Faults injected so far.</summary>
    public int Faults;

    /// <summary>When set, a snapshot waits for this gate before its file is created.</summary>
    public SemaphoreSlim? SnapshotGate;

    /// <summary>Snapshots that have reached <see cref="SnapshotGate"/>.</summary>
    public int SnapshotsStarted;

    private bool Roll()
    {
        lock (this)
        {
            if (Chaos is null || Chaos.NextDouble() >= FaultRate)
            {
                return false;
            }
            Faults++;
            return true;
        }
    }

    public ILogFile Create(string path) => new File(this, FileStorageDevice.Instance.Create(path));

    public ILogFile OpenAppend(string path) => new File(this, FileStorageDevice.Instance.OpenAppend(path));

    public FileStream CreateSnapshot(string path)
    {
        Interlocked.Increment(ref SnapshotsStarted);
        SnapshotGate?.Wait();
        if (DiskFull)
        {
            throw new IOException("No space left on device", NoSpace);
        }
        return FileStorageDevice.Instance.CreateSnapshot(path);
    }

    public void ProbeWrite(string directory, int bytes)
    {
        if (DiskFull || Roll())
        {
            throw new IOException("No space left on device", NoSpace);
        }
        FileStorageDevice.Instance.ProbeWrite(directory, bytes);
    }

    private sealed class File(FaultyStorageDevice device, ILogFile inner) : ILogFile
    {
        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> data)
        {
            if (device.DiskFull || device.Roll())
            {
                inner.Write(data[..(data.Length / 2)]);
                inner.Flush(toDisk: false);
                throw new IOException("No space left on device", NoSpace);
            }
            inner.Write(data);
        }

        public void Flush(bool toDisk)
        {
            inner.Flush(toDisk);
            if (toDisk && (device.FailNextFsync || device.Roll()))
            {
                device.FailNextFsync = false;
                throw new IOException("Input/output error", 5);
            }
        }

        public void Truncate(long length) => inner.Truncate(length);

        public void Dispose() => inner.Dispose();
    }
}
