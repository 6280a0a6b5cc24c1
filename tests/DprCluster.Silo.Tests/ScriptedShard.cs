using DprCluster.Grains.Contracts;
using DprCluster.Text.Bm25;

namespace DprCluster.Silo.Tests;

/// <summary>A shard replica whose answers the test scripts, recording what reached it.</summary>
internal sealed class ScriptedShard(int shardId) : IShardGrain
{
    public Func<ShardSearchRequest, CancellationToken, Task<ShardSearchResponse>> OnSearch { get; init; } =
        (_, _) => Task.FromResult(new ShardSearchResponse(shardId, [], []));

    public Func<ShardUpsertRequest, CancellationToken, Task<ShardWriteResponse>> OnUpsert { get; init; } =
        (request, _) => Task.FromResult(new ShardWriteResponse(shardId, 1, request.Passages.Count));

    public Dictionary<string, Passage> Stored { get; } = new(StringComparer.Ordinal);

    public ShardSearchRequest? LastSearch { get; private set; }

    public int ShardId { get; } = shardId;

    public Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken)
    {
        LastSearch = request;
        return OnSearch(request, cancellationToken);
    }

    public Task<Bm25Statistics> GetStatisticsAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        var frequencies = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string term in terms)
        {
            frequencies[term] = term.Length;
        }
        return Task.FromResult(new Bm25Statistics(100, 1234, frequencies));
    }

    public Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken) => OnUpsert(request, cancellationToken);

    public Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken)
    {
        int applied = 0;
        foreach (string id in request.Ids)
        {
            applied += Stored.Remove(id) ? 1 : 0;
        }
        return Task.FromResult(new ShardWriteResponse(ShardId, 2, applied));
    }

    public Task<Passage?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult(Stored.GetValueOrDefault(id));

    public Task<ShardStats> GetStatsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ShardStats(ShardId, ShardState.Failed, 7, 2, 42, 40, 4096, "wal-1.log: bad record at offset 96"));
}
