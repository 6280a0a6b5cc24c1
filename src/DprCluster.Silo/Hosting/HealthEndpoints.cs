using System.Text.Json;
using DprCluster.Abstractions;
using DprCluster.Grains.Shard;
using DprCluster.Silo.Api;
using DprCluster.Silo.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DprCluster.Silo.Hosting;

/// <summary>
/// <c>/healthz</c>: the process is alive (200 while it runs, even during recovery). <c>/readyz</c>: 200 once every
/// shard replica this silo owns has recovered and serves searches, 503 before that or when recovery failed. Both say
/// <c>degraded</c> while a replica serves reads only (a full disk): searches still need the silo, so it stays ready.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, SiloPlan plan, ShardStore? shards)
    {
        IReadOnlyList<string> roles = SiloRoleNames.Names(plan.Roles);
        Func<HttpContext, Task> alive = context =>
            WriteAsync(context, StatusCodes.Status200OK,
                new HealthResponse(shards?.AnyReadOnly == true ? "degraded" : "alive", plan.SiloName, roles, Shards(shards)));
        Func<HttpContext, Task> ready = context =>
        {
            bool serving = shards?.AllServing ?? true;
            string status = !serving ? "not_ready" : shards?.AnyReadOnly == true ? "degraded" : "ready";
            return WriteAsync(context, serving ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
                new HealthResponse(status, plan.SiloName, roles, Shards(shards)));
        };
        // Delegates (not RequestDelegates) so the route builders take OpenAPI metadata.
        routes.MapGet("/healthz", (Delegate)alive)
            .WithName("Health")
            .WithSummary("Liveness: the process runs.")
            .Produces<HealthResponse>();
        routes.MapGet("/readyz", (Delegate)ready)
            .WithName("Ready")
            .WithSummary("Readiness: every owned shard replica recovered and serves.")
            .Produces<HealthResponse>()
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
    }

    private static List<ShardHealth> Shards(ShardStore? shards)
    {
        var states = new List<ShardHealth>();
        if (shards is not null)
        {
            foreach (ShardReplica replica in shards.Replicas)
            {
                states.Add(new ShardHealth(replica.ShardId, replica.State, replica.Error));
            }
        }
        return states;
    }

    private static async Task WriteAsync(HttpContext context, int status, HealthResponse health)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, ApiJsonContext.WriterOptions))
        {
            JsonSerializer.Serialize(writer, health, ApiJsonContext.Default.HealthResponse);
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
