using System.Diagnostics;
using System.Diagnostics.Metrics;
using static DprCluster.Grains.Telemetry.DprClusterTelemetry;

namespace DprCluster.Grains.Telemetry;

/// <summary>The write-ahead logs' source and meter: appends, records, bytes and fsync latency.</summary>
internal static class WalTelemetry
{
    public static readonly ActivitySource Source = new(Components.Wal, InstrumentationVersion);

    private static readonly Meter Meter = new(Components.Wal, InstrumentationVersion);

    private static readonly Counter<long> Appends = Meter.CreateCounter<long>(Metrics.WalAppends, "{append}",
        "Log appends; one per group commit.");

    private static readonly Counter<long> Records = Meter.CreateCounter<long>(Metrics.WalRecords, "{record}",
        "Log records written.");

    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>(Metrics.WalBytes, "By",
        "Log bytes written.");

    private static readonly Histogram<double> FsyncDuration = Meter.CreateHistogram(Metrics.WalFsyncDuration, "s",
        "Duration of one fsync of the log.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public static void RecordAppend(in TagList tags, int records, int bytes)
    {
        Appends.Add(1, tags);
        Records.Add(records, tags);
        Bytes.Add(bytes, tags);
    }

    public static void RecordFsync(in TagList tags, long started) =>
        FsyncDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
}
