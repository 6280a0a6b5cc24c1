using System.Diagnostics;
using System.Diagnostics.Metrics;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using static DprCluster.Grains.Telemetry.DprClusterTelemetry;

namespace DprCluster.Grains.Telemetry;

/// <summary>
/// The encoders' source and meter: batch size, queue wait and run time per batch, failed batches, and the queue's
/// length and limit. Pass <see cref="RecordBatch"/> as <see cref="EncoderServiceOptions.OnBatch"/> to feed it.
/// </summary>
public static class EncoderTelemetry
{
    internal static readonly ActivitySource Source = new(Components.Encoder, InstrumentationVersion);

    private static readonly Meter Meter = new(Components.Encoder, InstrumentationVersion);

    private static readonly ObservedInstances<EncoderService> Services = new();

    private static readonly KeyValuePair<string, object?> QueryKind = new(Attributes.Kind, "query");

    private static readonly KeyValuePair<string, object?> PassageKind = new(Attributes.Kind, "passage");

    private static readonly Histogram<long> BatchSize = Meter.CreateHistogram(Metrics.EncoderBatchSize, "{text}",
        "Texts per encoder batch.", tags: null, new InstrumentAdvice<long> { HistogramBucketBoundaries = BatchSizeBuckets });

    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram(Metrics.EncoderQueueWait, "s",
        "How long a batch's oldest text waited in the queue.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Histogram<double> RunTime = Meter.CreateHistogram(Metrics.EncoderRunTime, "s",
        "Time one batch spent in the encoder.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Counter<long> BatchFailures = Meter.CreateCounter<long>(Metrics.EncoderBatchFailures, "{batch}",
        "Encoder batches that threw (every text in them failed).");

    static EncoderTelemetry()
    {
        Meter.CreateObservableGauge(Metrics.EncoderQueueLength, () => Observe(service => service.QueueLength), "{text}",
            "Texts queued for the encoder and not yet running.");
        Meter.CreateObservableGauge(Metrics.EncoderQueueLimit, () => Observe(service => service.MaxQueueLength), "{text}",
            "Queue length past which the encoder refuses texts.");
    }

    /// <summary>Records one batch; runs on the encoder's worker thread, so it only updates instruments.</summary>
    public static void RecordBatch(EncoderBatchMetrics batch)
    {
        KeyValuePair<string, object?> kind = batch.Kind == EncoderKind.Query ? QueryKind : PassageKind;
        BatchSize.Record(batch.BatchSize, kind);
        QueueWait.Record(batch.QueueWait.TotalSeconds, kind);
        RunTime.Record(batch.RunTime.TotalSeconds, kind);
        if (batch.Failed)
        {
            BatchFailures.Add(1, kind);
        }
    }

    /// <summary>Reports <paramref name="service"/>'s queue in the encoder gauges (once per silo).</summary>
    public static void Observe(EncoderService service) => Services.Add(service);

    internal static KeyValuePair<string, object?> KindTag(bool questions) => questions ? QueryKind : PassageKind;

    private static List<Measurement<long>> Observe(Func<EncoderService, long> read)
    {
        List<EncoderService> services = Services.Alive();
        var measurements = new List<Measurement<long>>(services.Count);
        foreach (EncoderService service in services)
        {
            measurements.Add(new Measurement<long>(read(service)));
        }
        return measurements;
    }
}
