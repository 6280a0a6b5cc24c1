using System.Diagnostics;
using System.Diagnostics.Metrics;
using DprCluster.Silo.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace DprCluster.DeploymentTests.Telemetry;

public sealed class PrometheusTextFormatTests : IDisposable
{
    private readonly string _meterName = "DprCluster.Tests." + Guid.NewGuid().ToString("N");
    private readonly Meter _meter;
    private readonly PrometheusScrapeExporter _exporter = new(TimeSpan.FromSeconds(10));
    private readonly MeterProvider _provider;

    public PrometheusTextFormatTests()
    {
        _meter = new Meter(_meterName);
        _provider = Sdk.CreateMeterProviderBuilder().AddMeter(_meterName).AddReader(_exporter.CreateReader()).Build();
    }

    public void Dispose()
    {
        _provider.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Counters_get_the_unit_suffix_and_total_with_sorted_escaped_labels()
    {
        Counter<long> counter = _meter.CreateCounter<long>("test.ingest.bytes", "By", "Bytes \\ written\nper call.");
        counter.Add(3, new TagList { { "z.last", "a\"b" }, { "a.first", "line\nbreak\\" } });
        counter.Add(4, new TagList { { "z.last", "a\"b" }, { "a.first", "line\nbreak\\" } });

        string text = _exporter.Scrape();
        ExpositionDocument document = ExpositionDocument.Parse(text);

        Assert.Equal("counter", document.Types["test_ingest_bytes_total"]);
        Assert.Equal("Bytes \\\\ written\\nper call.", document.Help["test_ingest_bytes_total"]);
        ExpositionDocument.Sample sample = Assert.Single(document.Named("test_ingest_bytes_total"));
        Assert.Equal(7, sample.Value);
        Assert.Equal("line\nbreak\\", sample.Labels["a_first"]);
        Assert.Equal("a\"b", sample.Labels["z_last"]);
        Assert.Contains("test_ingest_bytes_total{a_first=\"line\\nbreak\\\\\",z_last=\"a\\\"b\"} 7\n", text);
    }

    [Fact]
    public void Histograms_have_cumulative_buckets_ending_in_inf_with_sum_and_count()
    {
        double[] bounds = [0.001, 0.01, 0.1];
        Histogram<double> histogram = _meter.CreateHistogram("test.search.duration", "s", "Search time.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = bounds });
        double[] values = [0.0005, 0.002, 0.003, 0.05, 0.5, 2];
        foreach (double value in values)
        {
            histogram.Record(value, new KeyValuePair<string, object?>("mode", "dense"));
        }

        ExpositionDocument document = ExpositionDocument.Parse(_exporter.Scrape());

        Assert.Equal("histogram", document.Types["test_search_duration_seconds"]);
        List<ExpositionDocument.Sample> buckets = [.. document.Named("test_search_duration_seconds_bucket")];
        Assert.Equal(bounds.Length + 1, buckets.Count);
        for (int i = 0; i < buckets.Count; i++)
        {
            double le = ExpositionDocument.ParseValue(buckets[i].Labels["le"]);
            Assert.Equal(i < bounds.Length ? bounds[i] : double.PositiveInfinity, le);
            Assert.Equal(values.Count(v => v <= le), buckets[i].Value);
            Assert.Equal("dense", buckets[i].Labels["mode"]);
        }
        Assert.Equal(values.Length, Assert.Single(document.Named("test_search_duration_seconds_count")).Value);
        Assert.Equal(values.Sum(), Assert.Single(document.Named("test_search_duration_seconds_sum")).Value, 9);
    }

    [Fact]
    public void Observable_gauges_are_read_at_each_scrape()
    {
        long queued = 5;
        _meter.CreateObservableGauge("test.queue.length", () => queued, "{text}", "Queued texts.");
        _meter.CreateObservableGauge("test.cache.hit_ratio", () => 0.25, "1", "Hits per lookup.");

        ExpositionDocument first = ExpositionDocument.Parse(_exporter.Scrape());
        queued = 9;
        ExpositionDocument second = ExpositionDocument.Parse(_exporter.Scrape());

        Assert.Equal("gauge", first.Types["test_queue_length"]);
        Assert.Equal(5, Assert.Single(first.Named("test_queue_length")).Value);
        Assert.Equal(9, Assert.Single(second.Named("test_queue_length")).Value);
        // The unit "1" makes a _ratio suffix, which the name already has.
        Assert.Equal(0.25, Assert.Single(second.Named("test_cache_hit_ratio")).Value);
    }

    [Fact]
    public void Up_down_counters_are_gauges_and_special_floats_are_spelled_as_prometheus_reads_them()
    {
        UpDownCounter<double> level = _meter.CreateUpDownCounter<double>("test.level", "{item}");
        level.Add(double.PositiveInfinity);
        _meter.CreateObservableGauge("test.unknown", () => double.NaN);

        string text = _exporter.Scrape();
        ExpositionDocument document = ExpositionDocument.Parse(text);

        Assert.Equal("gauge", document.Types["test_level"]);
        Assert.Contains("test_level +Inf\n", text);
        Assert.Contains("test_unknown NaN\n", text);
    }

    [Fact]
    public void Instruments_of_two_meters_with_one_name_share_one_family()
    {
        using var other = new Meter(_meterName);
        _meter.CreateCounter<long>("test.shared").Add(1, new KeyValuePair<string, object?>("from", "a"));
        other.CreateCounter<long>("test.shared").Add(2, new KeyValuePair<string, object?>("from", "b"));

        ExpositionDocument document = ExpositionDocument.Parse(_exporter.Scrape());

        Assert.Equal(2, document.Named("test_shared_total").Count());
    }

    [Theory]
    [InlineData("dprcluster.search.duration", "s", false, false, "dprcluster_search_duration_seconds")]
    [InlineData("dprcluster.ingest.bytes", "By", true, false, "dprcluster_ingest_bytes_total")]
    [InlineData("dprcluster.search.partial", "{search}", true, false, "dprcluster_search_partial_total")]
    [InlineData("dotnet.gc.collections", "{collection}", true, false, "dotnet_gc_collections_total")]
    [InlineData("process.cpu.utilization", "1", false, true, "process_cpu_utilization_ratio")]
    [InlineData("network.io", "By/s", false, true, "network_io_bytes_per_second")]
    [InlineData("requests", "{request}/s", false, true, "requests_per_second")]
    [InlineData("latency_seconds", "s", false, false, "latency_seconds")]
    [InlineData("jobs.done_total", "", true, false, "jobs_done_total")]
    [InlineData("9lives..cat-count", "", false, true, "_9lives_cat_count")]
    public void Names_follow_the_OpenTelemetry_to_Prometheus_rules(string name, string unit, bool counter, bool gauge, string expected) =>
        Assert.Equal(expected, PrometheusNames.Metric(name, unit, counter, gauge));

    [Theory]
    [InlineData("http.request.method", "http_request_method")]
    [InlineData("error.type", "error_type")]
    [InlineData("0th", "key_0th")]
    public void Label_names_are_sanitized(string key, string expected) => Assert.Equal(expected, PrometheusNames.Label(key));
}
