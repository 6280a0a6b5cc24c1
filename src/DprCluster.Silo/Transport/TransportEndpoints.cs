using System.Globalization;
using DprCluster.Encoders;
using DprCluster.Grains.Contracts;
using DprCluster.Silo.Transport.Protos;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace DprCluster.Silo.Transport;

/// <summary>
/// Serves the grains of this silo to other silos (<paramref name="findShard"/> returns the local replica of a shard,
/// or null): shard replicas under <c>/internal/v1/shards/{shard}/…</c> and the
/// encoder under <c>/internal/v1/encoder/…</c>, answered only on the internal (h2c) port.
/// </summary>
internal sealed class TransportEndpoints(Func<int, IShardGrain?> findShard, IEncoderGrain? encoder, int internalPort, ILogger logger)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        const string shard = TransportRoutes.Prefix + "/shards/{shard:int}";
        MapShard(routes, shard + "/search", ShardSearchRequestMessage.Parser, async (grain, request, token) =>
            MessageMapping.ToMessage(await grain.SearchAsync(MessageMapping.FromMessage(request), token).ConfigureAwait(false)));
        MapShard(routes, shard + "/statistics", StatisticsRequestMessage.Parser, async (grain, request, token) =>
            MessageMapping.ToMessage(await grain.GetStatisticsAsync(request.Terms, token).ConfigureAwait(false)));
        MapShard(routes, shard + "/upsert", UpsertRequestMessage.Parser, async (grain, request, token) =>
            MessageMapping.ToMessage(await grain.UpsertAsync(MessageMapping.FromMessage(request), token).ConfigureAwait(false)));
        MapShard(routes, shard + "/delete", DeleteRequestMessage.Parser, async (grain, request, token) =>
            MessageMapping.ToMessage(await grain.DeleteAsync(new ShardDeleteRequest([.. request.Ids]), token).ConfigureAwait(false)));
        MapShard(routes, shard + "/get", GetRequestMessage.Parser, async (grain, request, token) =>
        {
            Passage? passage = await grain.GetAsync(request.Id, token).ConfigureAwait(false);
            return passage is null ? new GetResponseMessage() : new GetResponseMessage { Passage = MessageMapping.ToMessage(passage) };
        });
        MapShard(routes, shard + "/stats", StatsRequestMessage.Parser, async (grain, _, token) =>
            MessageMapping.ToMessage(await grain.GetStatsAsync(token).ConfigureAwait(false)));

        MapEncoder(routes, TransportRoutes.EncodeQueries, EncodeQueriesRequestMessage.Parser, async (grain, request, token) =>
            MessageMapping.ToMessage(await grain.EncodeQueriesAsync(request.Queries, token).ConfigureAwait(false), grain.Dimension));
        MapEncoder(routes, TransportRoutes.EncodePassages, EncodePassagesRequestMessage.Parser, async (grain, request, token) =>
        {
            PassageText[] passages = MessageMapping.FromMessage(request);
            return MessageMapping.ToMessage(await grain.EncodePassagesAsync(passages, token).ConfigureAwait(false), grain.Dimension);
        });
    }

    private void MapShard<TRequest, TResponse>(IEndpointRouteBuilder routes, string pattern, MessageParser<TRequest> parser,
        Func<IShardGrain, TRequest, CancellationToken, Task<TResponse>> call)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Task Handle(HttpContext context)
        {
            if (!OnInternalPort(context))
            {
                return Task.CompletedTask;
            }
            int shard = int.Parse((string)context.Request.RouteValues["shard"]!, CultureInfo.InvariantCulture);
            IShardGrain? grain = findShard(shard);
            return TransportCall.HandleAsync(context, parser, (request, token) => grain is null
                ? throw new ClusterException(ClusterErrorCodes.ShardUnavailable,
                    $"This silo holds no replica of shard {shard}; the caller's cluster map disagrees with this silo's.")
                : call(grain, request, token), logger);
        }
        // The coordinator's stage and shard metrics time these calls; ASP.NET Core's would cost every search four times.
        routes.MapPost(pattern, Handle).ExcludeFromDescription().DisableHttpMetrics();
    }

    private void MapEncoder<TRequest, TResponse>(IEndpointRouteBuilder routes, string pattern, MessageParser<TRequest> parser,
        Func<IEncoderGrain, TRequest, CancellationToken, Task<TResponse>> call)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        Task Handle(HttpContext context)
        {
            if (!OnInternalPort(context))
            {
                return Task.CompletedTask;
            }
            return TransportCall.HandleAsync(context, parser, (request, token) => encoder is null
                ? throw new ClusterException(ClusterErrorCodes.ShardUnavailable,
                    "This silo has no encoder role; the caller's cluster map disagrees with this silo's.")
                : call(encoder, request, token), logger);
        }
        // The coordinator's stage and shard metrics time these calls; ASP.NET Core's would cost every search four times.
        routes.MapPost(pattern, Handle).ExcludeFromDescription().DisableHttpMetrics();
    }

    private bool OnInternalPort(HttpContext context)
    {
        if (context.Connection.LocalPort == internalPort)
        {
            return true;
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return false;
    }
}
