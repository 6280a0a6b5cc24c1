using DprCluster.Grains.Shard.Storage;

namespace DprCluster.Grains.Tests;

/// <summary>
/// The real disk with faults switched on by the test: a full disk (every write and probe fails with ENOSPC after
/// writing part of its bytes, as a short write would), or one failing fsync.
/// </summary>
internal sealed class FaultyLogDevice : ILogDevice
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

    public ILogFile Create(string path) => new File(this, FileLogDevice.Instance.Create(path));

    public ILogFile OpenAppend(string path) => new File(this, FileLogDevice.Instance.OpenAppend(path));

    public void ProbeWrite(string directory, int bytes)
    {
        if (DiskFull || Roll())
        {
            throw new IOException("No space left on device", NoSpace);
        }
        FileLogDevice.Instance.ProbeWrite(directory, bytes);
    }

    private sealed class File(FaultyLogDevice device, ILogFile inner) : ILogFile
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
