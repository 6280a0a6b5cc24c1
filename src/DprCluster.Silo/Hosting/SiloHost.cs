using System.Net;
using DprCluster.Abstractions;
using DprCluster.Grains.Shard;
using DprCluster.Silo.Api;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Telemetry;
using DprCluster.Silo.WebConsole;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DprCluster.Silo.Hosting;

/// <summary>
/// One silo process: an ASP.NET Core <see cref="WebApplication"/> with an Orleans silo (<c>UseOrleans</c>) composed by
/// <see cref="DprClusterComposition.AddDprCluster(Microsoft.AspNetCore.Builder.WebApplicationBuilder, SiloConfiguration)"/>. It hosts the grains its roles call for and serves health (every
/// silo) and the REST API (gateways) on the API URL; silos talk to each other over Orleans.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SiloHost(WebApplication app, SiloPlan plan)
    {
        _app = app;
        Plan = plan;
    }

    /// <summary>What this silo is.</summary>
    public SiloPlan Plan { get; }

    /// <summary>Shard replicas hosted here (null without the shard role).</summary>
    public ShardStore? Shards => _app.Services.GetService<ShardStore>();

    /// <summary>Grain references from inside this silo.</summary>
    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The coordinator (gateway role).</summary>
    public ICoordinatorGrain Coordinator => Grains.GetGrain<ICoordinatorGrain>(0);

    /// <summary>
    /// Builds the silo, joins the cluster and starts listening; shard recovery continues in the background
    /// (<c>/readyz</c> turns 200 when it is done).
    /// </summary>
    public static async Task<SiloHost> StartAsync(SiloConfiguration configuration, CancellationToken cancellationToken = default)
    {
        (WebApplication app, SiloPlan plan) = Build(configuration);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new SiloHost(app, plan);
    }

    /// <summary>Completes when the process is asked to stop (Ctrl+C, SIGTERM) or <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Leaves the cluster, then finishes queued writes and closes the logs and the encoder.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static (WebApplication App, SiloPlan Plan) Build(SiloConfiguration configuration)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "dprcluster",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddConfiguration(configuration.Root);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Error);
        // Its first check reports the time since the machine booted as a stall: a false alarm on every start.
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        SiloPlan plan = builder.AddDprCluster(configuration);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The REST API enforces its own body limit (413 as problem+json).
            kestrel.Limits.MaxRequestBodySize = null;
            // Kestrel's own refusals have no body; with its limits above ours, RequestLimits answers first, as problem+json.
            kestrel.Limits.MaxRequestLineSize = RequestLimits.MaxRequestLineBytes * 2;
            kestrel.Limits.MaxRequestHeadersTotalSize = RequestLimits.MaxHeaderBytes * 2;
            Listen(kestrel, plan.ApiUrl);
        });
        SiloTelemetry? telemetry = SiloTelemetry.AddTo(builder.Services, configuration.Root, plan);
        bool gateway = plan.Roles.HasFlag(SiloRoles.Gateway);
        // The OpenAPI document describes the wire format of ApiJsonContext: strict numbers, snake_case.
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
        });
        if (gateway)
        {
            builder.Services.AddOpenApi("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "DprCluster";
                document.Info.Version = "v1";
                document.Info.Description =
                    "Sharded dense passage retrieval (DPR) with BM25 and hybrid search. Errors are RFC 7807 problem+json " +
                    "documents whose 'code' is stable: " + string.Join(", ", ErrorCodeNames()) + ".";
                return Task.CompletedTask;
            }));
        }

        WebApplication app = builder.Build();
        app.UseStatusCodePages(StatusCodePageAsync);
        app.Use(RequestLimits.CheckAsync);
        HealthEndpoints.Map(app, plan, app.Services.GetService<ShardStore>());
        telemetry?.MapMetrics(app);
        if (gateway)
        {
            ICoordinatorGrain coordinator = app.Services.GetRequiredService<IGrainFactory>().GetGrain<ICoordinatorGrain>(0);
            new RestApi(coordinator, configuration.Api, configuration.Coordinator.HybridDepth,
                app.Services.GetRequiredService<ILogger<RestApi>>()).Map(app);
            app.MapOpenApi("/openapi/{documentName}.json");
            ConsoleEndpoints.Map(app);
        }
        return (app, plan);
    }

    private static Task StatusCodePageAsync(StatusCodeContext context)
    {
        HttpContext http = context.HttpContext;
        int status = http.Response.StatusCode;
        string detail = status switch
        {
            StatusCodes.Status404NotFound => $"No resource at {http.Request.Method} {http.Request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not take {http.Request.Method}.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with 'Content-Type: application/json'.",
            _ => $"{http.Request.Method} {http.Request.Path} was refused with HTTP {status}.",
        };
        string code = status switch
        {
            StatusCodes.Status404NotFound => ClusterErrorCodes.NotFound,
            StatusCodes.Status415UnsupportedMediaType => ClusterErrorCodes.UnsupportedMediaType,
            _ => ClusterErrorCodes.InvalidRequest,
        };
        return ProblemWriter.WriteAsync(http, code, detail, status);
    }

    private static void Listen(KestrelServerOptions kestrel, Uri url)
    {
        Action<ListenOptions> configure = listen => listen.Protocols = HttpProtocols.Http1;
        string host = url.Host;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(url.Port, configure);
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address))
        {
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                kestrel.ListenAnyIP(url.Port, configure);
            }
            else
            {
                kestrel.Listen(address, url.Port, configure);
            }
        }
        else
        {
            // A DNS name (a pod's own name on Kubernetes): listen on every interface.
            kestrel.ListenAnyIP(url.Port, configure);
        }
    }

    private static IEnumerable<string> ErrorCodeNames()
    {
        foreach (var field in typeof(ClusterErrorCodes).GetFields())
        {
            if (field.IsLiteral && field.GetRawConstantValue() is string code)
            {
                yield return code;
            }
        }
    }
}
