namespace DprCluster.Abstractions;

/// <summary>One record of a shard's log as the shard's writer numbered it: an upsert (with its vector) or a delete.</summary>
/// <param name="Lsn">Its position in the shard's one total order of writes.</param>
/// <param name="Upsert">The passage and vector to insert or replace; null for a delete.</param>
/// <param name="DeletedId">The id to delete; null for an upsert.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardRecord")]
public sealed record ShardRecord([property: Id(0)] long Lsn, [property: Id(1)] EncodedPassage? Upsert, [property: Id(2)] string? DeletedId);

/// <summary>Records with consecutive LSNs, shipped by the shard's writer (or copied from a peer) to one replica.</summary>
/// <param name="Records">The records, LSNs ascending by one.</param>
/// <param name="ReplicaLsns">
/// The writer's view of every replica's last LSN (replica 0 first; null where unknown), which replicas keep so that a
/// writer activated anew still knows how far a replica that is down trails.
/// </param>
[GenerateSerializer, Immutable, Alias("dpr.ShardRecordBatch")]
public sealed record ShardRecordBatch([property: Id(0)] ShardRecord[] Records, [property: Id(1)] long?[]? ReplicaLsns = null);

/// <summary>A replica's acknowledgement of a record batch: logged, fsynced and applied.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="LastLsn">The replica's last LSN after the batch.</param>
/// <param name="Changed">Per record, whether it changed the replica (false for a delete of an absent id, or a record it already held).</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardReplicateResponse")]
public sealed record ShardReplicateResponse([property: Id(0)] int ShardId, [property: Id(1)] long LastLsn, [property: Id(2)] bool[] Changed);

/// <summary>
/// Records a replica's log holds after an LSN, for a peer catching up; when the log no longer reaches back that far
/// (a snapshot replaced the older files), no records but the snapshot to copy instead.
/// </summary>
/// <param name="Records">Records after the asked-for LSN, in order (possibly fewer than the log holds).</param>
/// <param name="LastLsn">The answering replica's last durable LSN.</param>
/// <param name="SnapshotLsn">When the log does not reach back: LSN of the snapshot to copy; otherwise null.</param>
/// <param name="SnapshotBytes">Length of that snapshot file; 0 when there is none to copy.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardLogChunk")]
public sealed record ShardLogChunk(
    [property: Id(0)] ShardRecord[] Records,
    [property: Id(1)] long LastLsn,
    [property: Id(2)] long? SnapshotLsn,
    [property: Id(3)] long SnapshotBytes);

/// <summary>Where a shard's writer stands: the last LSN it assigned and what each replica last reported.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="LastLsn">Last LSN assigned and sent; null until the writer has learnt it from the replicas.</param>
/// <param name="ReplicaLsns">Per replica (replica 0 first), its last LSN as the writer last heard it; null if never.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardWriterStatus")]
public sealed record ShardWriterStatus([property: Id(0)] int ShardId, [property: Id(1)] long? LastLsn, [property: Id(2)] long?[] ReplicaLsns);
