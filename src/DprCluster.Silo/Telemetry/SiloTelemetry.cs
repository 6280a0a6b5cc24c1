using System.Diagnostics.Metrics;
using DprCluster.Grains.Telemetry;
using DprCluster.Silo.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DprCluster.Silo.Telemetry;

/// <summary>
/// A silo's OpenTelemetry, registered with the host through OpenTelemetry.Extensions.Hosting: a meter provider over the
/// cluster's meters, the runtime's (runtime instrumentation), ASP.NET Core's request metrics and Orleans', read by the
/// Prometheus endpoint and pushed over OTLP when a collector is configured; and a tracer provider over the cluster's
/// activity sources, ASP.NET Core's and HttpClient's instrumentation and Orleans' grain calls. The host builds the
/// providers when it starts and flushes and disposes them when it stops.
/// </summary>
public sealed class SiloTelemetry : IHostedService, IDisposable
{
    /// <summary>
    /// Meters of the platform that the silo exports besides its own and the runtime's: ASP.NET Core's request metrics
    /// and Orleans'. Kestrel's connection metrics are left out: each costs every request and no dashboard uses them.
    /// </summary>
    public static IReadOnlyList<string> PlatformMeters { get; } = ["Microsoft.AspNetCore.Hosting", "Microsoft.Orleans"];

    /// <summary>
    /// Activity sources of the platform traced besides the instrumented ones: Orleans' grain-call spans, which continue
    /// the caller's context on the silo that runs the call (Orleans carries it in the request context once
    /// <c>AddActivityPropagation</c> is on), so one search is one trace across silos.
    /// </summary>
    public static IReadOnlyList<string> PlatformSources { get; } = ["Microsoft.Orleans.Application"];

    private readonly Meter _siloMeter;

    private SiloTelemetry(TelemetryOptions options, string siloName, IReadOnlyList<string> roles)
    {
        Options = options;
        string rolesText = string.Join(',', roles);
        _siloMeter = new Meter(DprClusterTelemetry.Components.Silo, DprClusterTelemetry.InstrumentationVersion);
        KeyValuePair<string, object?>[] siloTags =
            [new(DprClusterTelemetry.Attributes.Silo, siloName), new(DprClusterTelemetry.Attributes.Roles, rolesText)];
        _siloMeter.CreateObservableGauge(DprClusterTelemetry.Metrics.SiloInfo, () => new Measurement<long>(1, siloTags),
            unit: null, "Always 1; labels name the silo and its roles.");
        Prometheus = new PrometheusScrapeExporter(TimeSpan.FromSeconds(10));
    }

    /// <summary>The options in force.</summary>
    public TelemetryOptions Options { get; }

    /// <summary>The exporter behind the Prometheus endpoint.</summary>
    public PrometheusScrapeExporter Prometheus { get; }

    /// <summary>
    /// Reads section <c>Telemetry</c> of <paramref name="configuration"/>; when enabled, registers the providers with the
    /// host. Returns null when telemetry is off.
    /// </summary>
    public static SiloTelemetry? AddTo(IServiceCollection services, IConfiguration configuration, SiloPlan plan)
    {
        TelemetryOptions options;
        try
        {
            options = configuration.GetSection("Telemetry").Get<TelemetryOptions>(binder => binder.ErrorOnUnknownConfiguration = true)
                ?? new TelemetryOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new ClusterConfigurationException($"Section Telemetry: {e.Message}");
        }
        if (!options.Enabled)
        {
            return null;
        }
        if (!options.MetricsPath.StartsWith('/'))
        {
            throw new ClusterConfigurationException($"Telemetry:MetricsPath must start with '/'; got '{options.MetricsPath}'.");
        }
        if (options.TraceSampleRatio is < 0 or > 1)
        {
            throw new ClusterConfigurationException($"Telemetry:TraceSampleRatio must be between 0 and 1; got {options.TraceSampleRatio}.");
        }
        IReadOnlyList<string> roles = SiloRoleNames.Names(plan.Roles);
        var telemetry = new SiloTelemetry(options, plan.SiloName, roles);
        services.AddHostedService(_ => telemetry);
        bool otlpTraces = OtlpConfigured("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        bool otlpMetrics = OtlpConfigured("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        string service = options.ServiceName
            ?? NonEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME"))
            ?? "dprcluster-" + string.Join('-', roles);
        OpenTelemetryBuilder builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(service, serviceVersion: DprClusterTelemetry.InstrumentationVersion, serviceInstanceId: plan.SiloName)
                .AddAttributes([new(DprClusterTelemetry.Attributes.Roles, string.Join(',', roles))]))
            .WithMetrics(metrics =>
            {
                metrics.SetExemplarFilter(ExemplarFilterType.AlwaysOff)
                    .AddMeter([.. DprClusterTelemetry.Components.All, .. PlatformMeters])
                    .AddRuntimeInstrumentation()
                    .AddReader(telemetry.Prometheus.CreateReader());
                if (otlpMetrics)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        ApplySignalVariables(exporter, "METRICS");
                        reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.OtlpMetricsIntervalMs;
                    });
                }
            });
        if (options.Traces ?? otlpTraces)
        {
            builder.WithTracing(traces =>
            {
                traces.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                    .AddSource([.. DprClusterTelemetry.Components.All, .. PlatformSources])
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (otlpTraces)
                {
                    traces.AddOtlpExporter(exporter => ApplySignalVariables(exporter, "TRACES"));
                }
            });
        }
        return telemetry;
    }

    /// <summary>Serves the Prometheus text endpoint at <see cref="TelemetryOptions.MetricsPath"/>.</summary>
    public void MapMetrics(IEndpointRouteBuilder routes) =>
        routes.MapGet(Options.MetricsPath, (Delegate)ScrapeAsync).ExcludeFromDescription().DisableHttpMetrics();

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Releases the silo meter when the host stops (the host disposes the providers itself).</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _siloMeter.Dispose();

    private async Task ScrapeAsync(HttpContext context)
    {
        string document;
        try
        {
            document = Prometheus.Scrape();
        }
        catch (InvalidOperationException e)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync(e.Message, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = PrometheusTextFormat.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(document, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies <c>OTEL_EXPORTER_OTLP_&lt;SIGNAL&gt;_ENDPOINT</c> and <c>_PROTOCOL</c>, which the exporter reads only through
    /// the hosting package: a signal's endpoint is its full URL (e.g. <c>http://collector:4318/v1/traces</c>).
    /// </summary>
    private static void ApplySignalVariables(OtlpExporterOptions exporter, string signal)
    {
        if (NonEmpty(Environment.GetEnvironmentVariable($"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL")) is string protocol)
        {
            exporter.Protocol = protocol switch
            {
                "grpc" => OtlpExportProtocol.Grpc,
                "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
                _ => throw new ClusterConfigurationException(
                    $"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL is '{protocol}'; use grpc or http/protobuf."),
            };
        }
        if (NonEmpty(Environment.GetEnvironmentVariable($"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT")) is string endpoint)
        {
            exporter.Endpoint = Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? url)
                ? url
                : throw new ClusterConfigurationException($"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT '{endpoint}' is not an absolute URL.");
        }
    }

    /// <summary>Whether the shared OTLP endpoint variable or the signal's own names a collector.</summary>
    private static bool OtlpConfigured(string signalVariable) =>
        NonEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")) is not null
        || NonEmpty(Environment.GetEnvironmentVariable(signalVariable)) is not null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
