namespace DprCluster.Silo.Telemetry;

/// <summary>
/// Configuration section <c>Telemetry</c>: metrics (the Prometheus endpoint and, when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variables name a collector, OTLP export) and traces. <c>DPRCLUSTER_Telemetry__Enabled=false</c> turns all of it off: no listeners, so instruments and
/// activity sources cost next to nothing, and <see cref="MetricsPath"/> answers 404.
/// </summary>
public sealed record TelemetryOptions
{
    /// <summary>Master switch for metrics and traces.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Path of the Prometheus text endpoint on the API port.</summary>
    public string MetricsPath { get; init; } = "/metrics";

    /// <summary>
    /// Whether spans are recorded. Null (the default) records them when an OTLP endpoint is configured; true records
    /// them regardless (e.g. so that trace context still flows to other silos).
    /// </summary>
    public bool? Traces { get; init; }

    /// <summary>Share of root traces sampled (a trace continued from a caller follows the caller's decision).</summary>
    public double TraceSampleRatio { get; init; } = 1.0;

    /// <summary>Service name reported to the trace backend; defaults to <c>OTEL_SERVICE_NAME</c>, else <c>dprcluster-&lt;roles&gt;</c>.</summary>
    public string? ServiceName { get; init; }

    /// <summary>Milliseconds between OTLP metric pushes (the Prometheus endpoint is pulled and needs none).</summary>
    public int OtlpMetricsIntervalMs { get; init; } = 15_000;
}
