using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace DprCluster.Silo.Telemetry;

/// <summary>
/// A pull-only metric exporter: each <see cref="Scrape"/> asks the meter provider to collect (observable gauges are
/// read then) and renders the cumulative result with <see cref="PrometheusTextFormat"/>. Scrapes are serialised; no
/// OpenTelemetry Prometheus exporter package is reachable from our package registry, hence this one.
/// </summary>
[ExportModes(ExportModes.Pull)]
public sealed class PrometheusScrapeExporter : BaseExporter<Metric>, IPullMetricExporter
{
    private readonly object _scrape = new();
    private readonly int _timeoutMilliseconds;
    private string _document = "";

    /// <summary>Creates the exporter; a collection that takes longer than <paramref name="timeout"/> fails the scrape.</summary>
    public PrometheusScrapeExporter(TimeSpan timeout)
    {
        _timeoutMilliseconds = (int)timeout.TotalMilliseconds;
    }

    /// <summary>Set by the metric reader: runs one collection, which calls <see cref="Export"/> on this thread.</summary>
    public Func<int, bool>? Collect { get; set; }

    /// <summary>Wraps this exporter in the reader to add to a meter provider (cumulative, as Prometheus needs).</summary>
    public MetricReader CreateReader() => new BaseExportingMetricReader(this)
    {
        TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
    };

    /// <summary>Collects now and returns the exposition document.</summary>
    /// <exception cref="InvalidOperationException">The exporter is not attached to a provider, or collection failed.</exception>
    public string Scrape()
    {
        Func<int, bool> collect = Collect
            ?? throw new InvalidOperationException("The Prometheus exporter is not attached to a meter provider.");
        lock (_scrape)
        {
            if (!collect(_timeoutMilliseconds))
            {
                throw new InvalidOperationException("Metric collection failed or timed out.");
            }
            return _document;
        }
    }

    /// <inheritdoc />
    public override ExportResult Export(in Batch<Metric> batch)
    {
        _document = PrometheusTextFormat.Write(batch);
        return ExportResult.Success;
    }
}
