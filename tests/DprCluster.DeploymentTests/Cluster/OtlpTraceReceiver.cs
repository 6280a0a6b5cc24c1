using DprCluster.DeploymentTests.Otlp;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DprCluster.DeploymentTests.Cluster;

/// <summary>
/// A stand-in OTLP/HTTP collector on loopback: silos export their spans here as protobuf (<c>POST /v1/traces</c>);
/// the tests read them back. Metrics pushes are accepted and dropped.
/// </summary>
internal sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedSpan> _spans = [];

    private OtlpTraceReceiver(WebApplication app)
    {
        _app = app;
    }

    public Uri TracesEndpoint { get; private set; } = null!;

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", (Delegate)receiver.ReceiveAsync);
        app.MapPost("/v1/metrics", (HttpContext context) => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.TracesEndpoint = new Uri(new Uri(address), "/v1/traces");
        return receiver;
    }

    /// <summary>The spans of one trace received so far.</summary>
    public List<ReceivedSpan> Trace(string traceId)
    {
        lock (_spans)
        {
            return [.. _spans.Where(span => span.TraceId == traceId)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        ExportTraceServiceRequest request = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
        var received = new List<ReceivedSpan>();
        foreach (ResourceSpans resource in request.ResourceSpans)
        {
            string service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "";
            foreach (ScopeSpans scope in resource.ScopeSpans)
            {
                foreach (Span span in scope.Spans)
                {
                    received.Add(new ReceivedSpan(
                        Convert.ToHexStringLower(span.TraceId.Span),
                        Convert.ToHexStringLower(span.SpanId.Span),
                        span.ParentSpanId.IsEmpty ? null : Convert.ToHexStringLower(span.ParentSpanId.Span),
                        span.Name,
                        scope.Scope?.Name ?? "",
                        service,
                        span.Attributes.ToDictionary(a => a.Key, a => Text(a.Value))));
                }
            }
        }
        lock (_spans)
        {
            _spans.AddRange(received);
        }
        return Results.Bytes(new ExportTraceServiceResponse().ToByteArray(), "application/x-protobuf");
    }

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "",
    };
}

/// <summary>One exported span: ids in lower-case hex, the instrumentation scope (activity source) and the service.</summary>
internal sealed record ReceivedSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, string Scope, string Service,
    IReadOnlyDictionary<string, string> Attributes);
