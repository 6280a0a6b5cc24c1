namespace DprCluster.Abstractions;

/// <summary>
/// The shard replicas one silo holds, as one target (key <see cref="ShardSiloKey"/>, pinned to that silo): a search
/// of several of its shards is one call instead of one per shard, and the silo searches them in parallel on a bounded
/// number of threads. Each shard's answer or error comes back on its own, so the caller retries only the failed ones.
/// </summary>
public interface IShardSiloGrain : IGrainWithStringKey
{
    /// <summary>Searches each of <paramref name="shards"/> held by this silo with the same request.</summary>
    Task<ShardSearchOutcome[]> SearchAsync(int[] shards, ShardSearchRequest request, CancellationToken cancellationToken);
}

/// <summary>One shard's part of a silo-wide search: its answer, or the error it gave.</summary>
/// <param name="Response">The shard's hits; null when it failed.</param>
/// <param name="ErrorCode">A <see cref="ClusterErrorCodes"/> value when it failed.</param>
/// <param name="ErrorMessage">What went wrong.</param>
[GenerateSerializer, Immutable, Alias("dpr.ShardSearchOutcome")]
public sealed record ShardSearchOutcome(
    [property: Id(0)] ShardSearchResponse? Response,
    [property: Id(1)] string? ErrorCode = null,
    [property: Id(2)] string? ErrorMessage = null);
