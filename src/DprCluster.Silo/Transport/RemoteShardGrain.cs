using DprCluster.Grains.Contracts;
using DprCluster.Silo.Transport.Protos;
using DprCluster.Text.Bm25;

namespace DprCluster.Silo.Transport;

/// <summary>A reference to a shard replica in another silo: every call is one transport round trip.</summary>
internal sealed class RemoteShardGrain : IShardGrain
{
    private readonly SiloConnection _silo;
    private readonly string _searchPath;
    private readonly string _statisticsPath;
    private readonly string _upsertPath;
    private readonly string _deletePath;
    private readonly string _getPath;
    private readonly string _statsPath;

    public RemoteShardGrain(SiloConnection silo, int shardId)
    {
        _silo = silo;
        ShardId = shardId;
        _searchPath = TransportRoutes.ShardSearch(shardId);
        _statisticsPath = TransportRoutes.ShardStatistics(shardId);
        _upsertPath = TransportRoutes.ShardUpsert(shardId);
        _deletePath = TransportRoutes.ShardDelete(shardId);
        _getPath = TransportRoutes.ShardGet(shardId);
        _statsPath = TransportRoutes.ShardStats(shardId);
    }

    public int ShardId { get; }

    public async Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken)
    {
        ShardSearchResponseMessage response = await CallAsync(_searchPath, MessageMapping.ToMessage(request),
            ShardSearchResponseMessage.Parser, cancellationToken).ConfigureAwait(false);
        return MessageMapping.FromMessage(response);
    }

    public async Task<Bm25Statistics> GetStatisticsAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        var request = new StatisticsRequestMessage();
        request.Terms.AddRange(terms);
        StatisticsMessage response = await CallAsync(_statisticsPath, request, StatisticsMessage.Parser, cancellationToken)
            .ConfigureAwait(false);
        return MessageMapping.FromMessage(response);
    }

    public async Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken)
    {
        WriteResponseMessage response = await CallAsync(_upsertPath, MessageMapping.ToMessage(request),
            WriteResponseMessage.Parser, cancellationToken).ConfigureAwait(false);
        return MessageMapping.FromMessage(response);
    }

    public async Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken)
    {
        var message = new DeleteRequestMessage();
        message.Ids.AddRange(request.Ids);
        WriteResponseMessage response = await CallAsync(_deletePath, message, WriteResponseMessage.Parser, cancellationToken)
            .ConfigureAwait(false);
        return MessageMapping.FromMessage(response);
    }

    public async Task<Passage?> GetAsync(string id, CancellationToken cancellationToken)
    {
        GetResponseMessage response = await CallAsync(_getPath, new GetRequestMessage { Id = id }, GetResponseMessage.Parser,
            cancellationToken).ConfigureAwait(false);
        return response.Passage is null ? null : MessageMapping.FromMessage(response.Passage);
    }

    public async Task<ShardStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        ShardStatsMessage response = await CallAsync(_statsPath, new StatsRequestMessage(), ShardStatsMessage.Parser,
            cancellationToken).ConfigureAwait(false);
        return MessageMapping.FromMessage(response);
    }

    private Task<TResponse> CallAsync<TResponse>(string path, Google.Protobuf.IMessage request,
        Google.Protobuf.MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : Google.Protobuf.IMessage<TResponse> =>
        _silo.CallAsync(path, request, parser, ClusterErrorCodes.ShardUnavailable, cancellationToken);
}
