using System.Diagnostics;

namespace DprCluster.Grains.Telemetry;

/// <summary>
/// Starts spans only where they can be recorded. Under a parent that was sampled out, OpenTelemetry would still create
/// an unrecorded child just to carry the trace context, which the parent (still <see cref="Activity.Current"/>) carries
/// to other silos already: skipping it keeps unsampled requests nearly as cheap as untraced ones.
/// </summary>
internal static class SampledSpans
{
    public static Activity? Start(ActivitySource source, string name) =>
        Activity.Current is { Recorded: false } ? null : source.StartActivity(name);
}
