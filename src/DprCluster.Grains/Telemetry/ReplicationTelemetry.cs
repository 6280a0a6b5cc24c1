using System.Diagnostics;
using System.Diagnostics.Metrics;
using DprCluster.Grains.Replication;
using static DprCluster.Grains.Telemetry.DprClusterTelemetry;

namespace DprCluster.Grains.Telemetry;

/// <summary>
/// The shard writers' source and meter: one span per replicated batch, and how far each replica trails its shard, read
/// from the writers this silo hosts.
/// </summary>
internal static class ReplicationTelemetry
{
    public static readonly ActivitySource Source = new(Components.Replication, InstrumentationVersion);

    private static readonly Meter Meter = new(Components.Replication, InstrumentationVersion);

    private static readonly ObservedInstances<ShardWriterGrain> Writers = new();

    static ReplicationTelemetry()
    {
        Meter.CreateObservableGauge(Metrics.ReplicaLag, ObserveLags, "{record}",
            "Records a shard replica trails the furthest LSN of its shard (sent by the writer or held by a peer); 0 once it caught up.");
    }

    public static void Register(ShardWriterGrain writer) => Writers.Add(writer);

    public static void Unregister(ShardWriterGrain writer) => Writers.Remove(writer);

    private static List<Measurement<long>> ObserveLags()
    {
        var measurements = new List<Measurement<long>>();
        foreach (ShardWriterGrain writer in Writers.Alive())
        {
            long?[] lags = writer.Lags();
            for (int r = 0; r < lags.Length; r++)
            {
                if (lags[r] is long lag)
                {
                    measurements.Add(new Measurement<long>(lag,
                        new KeyValuePair<string, object?>(Attributes.Shard, writer.ShardId),
                        new KeyValuePair<string, object?>(Attributes.Replica, r)));
                }
            }
        }
        return measurements;
    }
}
