using DprCluster.Abstractions;

namespace DprCluster.Silo.Api;

/// <summary>Answer of <c>GET /v1/cluster</c>.</summary>
/// <param name="ShardCount">S.</param>
/// <param name="ReplicationFactor">R.</param>
/// <param name="EncoderDimension">Vector length.</param>
/// <param name="Silos">Members of the cluster.</param>
/// <param name="Shards">Every shard with its replicas.</param>
/// <param name="Encoder">Queue and batch sizes of the encoder silo that answered (absent when none did).</param>
public sealed record ClusterBody(int ShardCount, int ReplicationFactor, int EncoderDimension, IReadOnlyList<SiloBody> Silos,
    IReadOnlyList<ShardBody> Shards, EncoderStatsBody? Encoder);

/// <summary>An encoder silo's queue and batching.</summary>
public sealed record EncoderStatsBody(string Silo, int QueueLength, int MaxQueueLength, long QueryBatches, double MeanQueryBatch,
    long PassageBatches, double MeanPassageBatch);

/// <summary>One silo.</summary>
/// <param name="Name">Silo name (on Kubernetes, the pod).</param>
/// <param name="Address">Orleans silo address.</param>
/// <param name="Status">Membership status: active, joining, shuttingdown, …</param>
/// <param name="Roles">gateway, shard, encoder.</param>
/// <param name="Gpu">Whether its encoder runs on a GPU.</param>
public sealed record SiloBody(string Name, string Address, string Status, IReadOnlyList<string> Roles, bool Gpu);

/// <summary>One shard.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Replicas">Its replicas, replica 0 first.</param>
/// <param name="WriterLsn">Last LSN the shard's writer assigned; null when unknown.</param>
public sealed record ShardBody(int ShardId, IReadOnlyList<ReplicaBody> Replicas, long? WriterLsn);

/// <summary>One replica of a shard.</summary>
/// <param name="Replica">Replica index.</param>
/// <param name="Silo">The silo that holds its data.</param>
/// <param name="Reachable">Whether it answered.</param>
/// <param name="Stats">What it holds, when it answered.</param>
/// <param name="Error">Why it did not answer, or its recovery error.</param>
/// <param name="Lag">Records it trails the shard's furthest LSN (0 when caught up); null when nothing is known of it.</param>
public sealed record ReplicaBody(int Replica, string Silo, bool Reachable, ShardStatsBody? Stats, string? Error, long? Lag);

/// <summary>What a replica holds.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="State">recovering, serving, read_only, catching_up or failed.</param>
/// <param name="Passages">Live passages.</param>
/// <param name="DeletedSlots">Graph slots marked deleted.</param>
/// <param name="LastLsn">LSN of the last logged record.</param>
/// <param name="SnapshotLsn">LSN of the newest snapshot.</param>
/// <param name="WalBytes">Log bytes since the snapshot.</param>
/// <param name="Error">Recovery or log error.</param>
/// <param name="Recall">Latest recall@k of the replica's recall probe (null before its first measurement).</param>
/// <param name="ContentDigest">
/// Order-independent fingerprint of its passages' ids and contents, 16 hex digits: replicas at one LSN that agree show
/// the same digest.
/// </param>
/// <param name="IndexBytes">RAM the vector index holds.</param>
/// <param name="Quantization"><c>none</c> or <c>sq8</c>.</param>
/// <param name="Unindexed">Acknowledged writes not yet linked into the graph (searched exactly meanwhile).</param>
public sealed record ShardStatsBody(int ShardId, ShardState State, int Passages, int DeletedSlots, long LastLsn, long SnapshotLsn,
    long WalBytes, string? Error, double? Recall, string ContentDigest, long IndexBytes, string? Quantization, int Unindexed);
