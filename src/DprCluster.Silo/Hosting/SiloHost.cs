using System.Net;
using DprCluster.Encoders.Batching;
using DprCluster.Grains.Contracts;
using DprCluster.Grains.Coordinator;
using DprCluster.Grains.Encoder;
using DprCluster.Silo.Api;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Telemetry;
using DprCluster.Silo.Transport;
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
/// One silo process: hosts the grains its roles call for (shard replicas, encoder, coordinator), serves the REST API
/// and health endpoints on the API URL and the silo transport (HTTP/2 cleartext + protobuf) on the internal URL.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EncoderService? _encoderService;
    private readonly SiloGrainDirectory? _directory;
    private readonly CancellationTokenSource _stopping = new();

    private SiloHost(WebApplication app, ClusterMap map, LocalShards? shards, EncoderService? encoderService,
        SiloGrainDirectory? directory, ICoordinatorGrain? coordinator)
    {
        _app = app;
        Map = map;
        Shards = shards;
        _encoderService = encoderService;
        _directory = directory;
        Coordinator = coordinator;
    }

    /// <summary>The resolved cluster map.</summary>
    public ClusterMap Map { get; }

    /// <summary>Shard replicas hosted here (null without the shard role).</summary>
    public LocalShards? Shards { get; }

    /// <summary>The coordinator (null without the gateway role).</summary>
    public ICoordinatorGrain? Coordinator { get; }

    /// <summary>
    /// Resolves the cluster map, opens the encoder and the shard replicas this silo owns, starts listening, and starts
    /// shard recovery in the background (<c>/readyz</c> turns 200 when it is done).
    /// </summary>
    public static async Task<SiloHost> StartAsync(SiloConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ClusterMap map = ClusterMapResolver.Resolve(configuration.Silo, configuration.Cluster);
        int dimension = EncoderFactory.Dimension(configuration.Encoder);

        LocalShards? shards = map.Roles.HasFlag(SiloRoles.Shard)
            ? new LocalShards(map.OwnedShards, configuration.ShardOptions(dimension))
            : null;
        EncoderService? encoderService = null;
        SiloGrainDirectory? directory = null;
        try
        {
            IEncoderGrain? encoder = null;
            if (map.Roles.HasFlag(SiloRoles.Encoder))
            {
                encoderService = EncoderFactory.Create(configuration.Encoder);
                if (encoderService.Dimension != dimension)
                {
                    throw new ClusterConfigurationException(
                        $"The encoder produces {encoderService.Dimension}-d vectors but the cluster is configured for {dimension} " +
                        "(Encoder:Dimension); every silo must agree.");
                }
                encoder = new EncoderGrain(encoderService);
            }
            ICoordinatorGrain? coordinator = null;
            if (map.Roles.HasFlag(SiloRoles.Gateway))
            {
                directory = new SiloGrainDirectory(map, shards, encoder, dimension, configuration.Transport);
                coordinator = new CoordinatorGrain(directory, configuration.Coordinator);
            }

            WebApplication app = Build(configuration, map, shards, encoder, coordinator);
            var host = new SiloHost(app, map, shards, encoderService, directory, coordinator);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            if (shards is not null)
            {
                _ = shards.StartRecovery(host._stopping.Token);
            }
            return host;
        }
        catch
        {
            directory?.Dispose();
            encoderService?.Dispose();
            if (shards is not null)
            {
                await shards.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>Completes when the process is asked to stop (Ctrl+C, SIGTERM) or <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops listening, finishes queued writes and closes the logs, and releases the encoder and connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (Shards is not null)
        {
            await Shards.DisposeAsync().ConfigureAwait(false);
        }
        _directory?.Dispose();
        _encoderService?.Dispose();
        _stopping.Dispose();
    }

    private static WebApplication Build(SiloConfiguration configuration, ClusterMap map, LocalShards? shards,
        IEncoderGrain? encoder, ICoordinatorGrain? coordinator)
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
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The REST API enforces its own body limit (413 as problem+json); transport messages may be larger.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1024;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 8 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
            Listen(kestrel, map.ApiUrl, HttpProtocols.Http1);
            Listen(kestrel, map.InternalUrl, HttpProtocols.Http2);
        });
        SiloTelemetry? telemetry = SiloTelemetry.AddTo(builder.Services, configuration.Root, map);
        // The OpenAPI document describes the wire format of ApiJsonContext: strict numbers, snake_case.
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
        });
        if (coordinator is not null)
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
        HealthEndpoints.Map(app, map, shards);
        telemetry?.MapMetrics(app);
        if (coordinator is not null)
        {
            new RestApi(coordinator, configuration.Api, app.Services.GetRequiredService<ILogger<RestApi>>()).Map(app);
            app.MapOpenApi("/openapi/{documentName}.json");
        }
        if (shards is not null || encoder is not null)
        {
            new TransportEndpoints(shard => shards?.Find(shard), encoder, map.InternalUrl.Port,
                app.Services.GetRequiredService<ILogger<SiloHost>>()).Map(app);
        }
        return app;
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
        string code = status == StatusCodes.Status404NotFound ? ClusterErrorCodes.NotFound : ClusterErrorCodes.InvalidRequest;
        return ProblemWriter.WriteAsync(http, code, detail, status);
    }

    private static void Listen(KestrelServerOptions kestrel, Uri url, HttpProtocols protocols)
    {
        Action<ListenOptions> configure = listen => listen.Protocols = protocols;
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
