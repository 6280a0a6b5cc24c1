namespace DprCluster.Abstractions;

/// <summary>
/// The one writer of a shard (key: the shard number; Orleans keeps a single activation): numbers every write to the
/// shard with consecutive LSNs and ships the records to every replica in that order, so replicas that have applied the
/// same LSN hold the same passages. A write is acknowledged once the write quorum of replicas logged and applied it.
/// </summary>
public interface IShardWriterGrain : IGrainWithIntegerKey
{
    /// <summary>Inserts or replaces passages (with their vectors) on every replica of the shard.</summary>
    Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes passages on every replica; unknown ids are ignored and not counted.</summary>
    Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken);

    /// <summary>The last LSN assigned and each replica's last LSN as last heard, for the cluster view and the lag metric.</summary>
    Task<ShardWriterStatus> GetStatusAsync(CancellationToken cancellationToken);
}
