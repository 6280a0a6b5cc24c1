using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace DprCluster.Silo.Telemetry;

/// <summary>
/// Writes OpenTelemetry metrics in the Prometheus text exposition format, version 0.0.4: one <c># HELP</c> and
/// <c># TYPE</c> per family, counters as <c>_total</c>, gauges, and histograms as cumulative <c>_bucket</c> series with
/// an <c>le</c> label (ending in <c>+Inf</c>) plus <c>_sum</c> and <c>_count</c>. Samples carry no timestamps, so
/// Prometheus stamps them with the scrape time.
/// </summary>
public static class PrometheusTextFormat
{
    /// <summary>The Content-Type of a scrape answer.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Renders <paramref name="metrics"/> (cumulative temporality) as one exposition document.</summary>
    public static string Write(in Batch<Metric> metrics)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var order = new List<Family>();
        foreach (Metric metric in metrics)
        {
            string? type = TypeOf(metric.MetricType);
            if (type is null)
            {
                continue;
            }
            string name = PrometheusNames.Metric(metric.Name, metric.Unit, counter: type == "counter", gauge: type == "gauge");
            if (!families.TryGetValue(name, out Family? family))
            {
                family = new Family(name, type, metric.Description);
                families.Add(name, family);
                order.Add(family);
            }
            else if (family.Type != type)
            {
                // Two instruments mapped to one name with different types cannot share a family; the first one wins.
                continue;
            }
            WritePoints(family, metric);
        }

        var text = new StringBuilder();
        foreach (Family family in order)
        {
            if (family.Samples.Length == 0)
            {
                continue;
            }
            if (!string.IsNullOrEmpty(family.Help))
            {
                text.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            }
            text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
            text.Append(family.Samples);
        }
        return text.ToString();
    }

    /// <summary>A float as Prometheus reads it: shortest round-trip decimal, <c>+Inf</c>, <c>-Inf</c> or <c>NaN</c>.</summary>
    public static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string? TypeOf(MetricType type) => type switch
    {
        MetricType.LongSum or MetricType.DoubleSum => "counter",
        MetricType.LongGauge or MetricType.DoubleGauge or MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic => "gauge",
        MetricType.Histogram => "histogram",
        // Exponential histograms have no 0.0.4 text form; no instrument here asks for one.
        _ => null,
    };

    private static void WritePoints(Family family, Metric metric)
    {
        bool isLong = metric.MetricType is MetricType.LongSum or MetricType.LongGauge or MetricType.LongSumNonMonotonic;
        foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
        {
            string labels = Labels(point.Tags);
            if (family.Type == "histogram")
            {
                WriteHistogram(family, point, labels);
                continue;
            }
            string value = metric.MetricType switch
            {
                MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong().ToString(CultureInfo.InvariantCulture),
                MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => FormatDouble(point.GetSumDouble()),
                _ when isLong => point.GetGaugeLastValueLong().ToString(CultureInfo.InvariantCulture),
                _ => FormatDouble(point.GetGaugeLastValueDouble()),
            };
            Sample(family.Samples, family.Name, labels, null, value);
        }
    }

    private static void WriteHistogram(Family family, MetricPoint point, string labels)
    {
        long cumulative = 0;
        foreach (HistogramBucket bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            Sample(family.Samples, family.Name + "_bucket", labels, FormatDouble(bucket.ExplicitBound),
                cumulative.ToString(CultureInfo.InvariantCulture));
        }
        Sample(family.Samples, family.Name + "_sum", labels, null, FormatDouble(point.GetHistogramSum()));
        Sample(family.Samples, family.Name + "_count", labels, null, point.GetHistogramCount().ToString(CultureInfo.InvariantCulture));
    }

    private static void Sample(StringBuilder samples, string name, string labels, string? le, string value)
    {
        samples.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            samples.Append('{').Append(labels);
            if (le is not null)
            {
                samples.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }
            samples.Append('}');
        }
        samples.Append(' ').Append(value).Append('\n');
    }

    /// <summary>Renders tags as <c>a="x",b="y"</c>; keys that sanitize to the same name have their values joined by <c>;</c>.</summary>
    private static string Labels(ReadOnlyTagCollection tags)
    {
        if (tags.Count == 0)
        {
            return "";
        }
        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            string key = PrometheusNames.Label(tag.Key);
            string value = LabelValue(tag.Value);
            merged[key] = merged.TryGetValue(key, out string? existing) ? existing + ";" + value : value;
        }
        var text = new StringBuilder();
        foreach ((string key, string value) in merged)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }
            text.Append(key).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        }
        return text.ToString();
    }

    private static string LabelValue(object? value) => value switch
    {
        null => "",
        bool flag => flag ? "true" : "false",
        double number => FormatDouble(number),
        float number => FormatDouble(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class Family(string name, string type, string? help)
    {
        public string Name { get; } = name;

        public string Type { get; } = type;

        public string? Help { get; } = help;

        public StringBuilder Samples { get; } = new();
    }
}
