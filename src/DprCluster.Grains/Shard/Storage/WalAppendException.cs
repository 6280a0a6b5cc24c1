namespace DprCluster.Grains.Shard.Storage;

/// <summary>
/// An append did not reach the disk. None of its records count: the log was cut back to its last good record when
/// <see cref="TailRestored"/>, and must be cut (<see cref="WriteAheadLog.RestoreTail"/>) before the next append otherwise.
/// </summary>
public sealed class WalAppendException(string message, bool diskFull, bool tailRestored, Exception inner) : IOException(message, inner)
{
    /// <summary>The device said it had no space (ENOSPC, EDQUOT, ERROR_DISK_FULL).</summary>
    public bool DiskFull { get; } = diskFull;

    /// <summary>Whether the partial write was cut off again.</summary>
    public bool TailRestored { get; } = tailRestored;

    /// <summary>True for the I/O errors that mean "no space left", on Linux and Windows.</summary>
    public static bool IsDiskFull(IOException e) => e.HResult is 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027);
}
