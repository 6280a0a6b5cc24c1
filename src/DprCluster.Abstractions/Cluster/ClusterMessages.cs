namespace DprCluster.Abstractions;

/// <summary>One replica of one shard as the cluster view shows it.</summary>
/// <param name="Replica">Replica index r (the grain key's <c>replica-{r}</c>).</param>
/// <param name="Silo">Name of the silo that holds its data.</param>
/// <param name="Reachable">Whether it answered.</param>
/// <param name="Stats">What it holds, when it answered.</param>
/// <param name="Error">Why it did not answer, or its recovery error.</param>
/// <param name="Lag">
/// Records it trails the shard's furthest LSN (what its writer sent, or a peer holds); for an unreachable replica,
/// counted from the LSN the writer last heard from it. Null when nothing is known of it.
/// </param>
[GenerateSerializer, Immutable, Alias("dpr.ReplicaStatus")]
public sealed record ReplicaStatus(
    [property: Id(0)] int Replica,
    [property: Id(1)] string Silo,
    [property: Id(2)] bool Reachable,
    [property: Id(3)] ShardStats? Stats,
    [property: Id(4)] string? Error,
    [property: Id(5)] long? Lag = null);

/// <summary>One shard and its replicas.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Replicas">Its replicas, replica 0 first.</param>
/// <param name="WriterLsn">Last LSN the shard's writer assigned; null when the writer did not answer or has not learnt it yet.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardStatus")]
public sealed record ShardStatus([property: Id(0)] int ShardId, [property: Id(1)] ReplicaStatus[] Replicas, [property: Id(2)] long? WriterLsn = null);

/// <summary>One silo (process) of the cluster as membership sees it.</summary>
/// <param name="Name">Silo name (on Kubernetes, the pod name).</param>
/// <param name="Address">Orleans silo address.</param>
/// <param name="Status">Membership status (active, joining, dead, …).</param>
/// <param name="Roles">Roles it runs.</param>
/// <param name="Gpu">Whether its encoder runs on a GPU.</param>
[GenerateSerializer, Immutable, Alias("dpr.SiloSummary")]
public sealed record SiloSummary(
    [property: Id(0)] string Name,
    [property: Id(1)] string Address,
    [property: Id(2)] string Status,
    [property: Id(3)] string[] Roles,
    [property: Id(4)] bool Gpu);

/// <summary>The cluster view of <c>GET /v1/cluster</c>.</summary>
/// <param name="ShardCount">S.</param>
/// <param name="ReplicationFactor">R.</param>
/// <param name="EncoderDimension">Vector length.</param>
/// <param name="Silos">Members.</param>
/// <param name="Shards">Every shard and its replicas.</param>
/// <param name="Encoder">Queue and batching of the encoder silo that answered; null when none did.</param>
[GenerateSerializer, Immutable, Alias("dpr.ClusterStatus")]
public sealed record ClusterStatus(
    [property: Id(0)] int ShardCount,
    [property: Id(1)] int ReplicationFactor,
    [property: Id(2)] int EncoderDimension,
    [property: Id(3)] SiloSummary[] Silos,
    [property: Id(4)] ShardStatus[] Shards,
    [property: Id(5)] EncoderStats? Encoder = null);

/// <summary>An encoder silo's queue and batching, as one of its encoder grains sees them.</summary>
/// <param name="Silo">The encoder silo that answered.</param>
/// <param name="QueueLength">Texts waiting to be encoded.</param>
/// <param name="MaxQueueLength">Queue length past which submissions are refused (429).</param>
/// <param name="QueryBatches">Question batches run so far.</param>
/// <param name="MeanQueryBatch">Mean questions per batch (0 before the first).</param>
/// <param name="PassageBatches">Passage batches run so far.</param>
/// <param name="MeanPassageBatch">Mean passages per batch (0 before the first).</param>
[GenerateSerializer, Immutable, Alias("dpr.EncoderStats")]
public sealed record EncoderStats(
    [property: Id(0)] string Silo,
    [property: Id(1)] int QueueLength,
    [property: Id(2)] int MaxQueueLength,
    [property: Id(3)] long QueryBatches,
    [property: Id(4)] double MeanQueryBatch,
    [property: Id(5)] long PassageBatches,
    [property: Id(6)] double MeanPassageBatch);
