namespace DprCluster.Grains.Shard.Storage;

/// <summary>When the write-ahead log is forced to disk.</summary>
public enum WalSyncMode
{
    /// <summary>fsync before every acknowledgement (one fsync per group commit): an ack survives power loss.</summary>
    Always,

    /// <summary>Written to the OS before the ack, fsynced by the OS later: an ack survives a process crash, not power loss.</summary>
    OsBuffered,
}
