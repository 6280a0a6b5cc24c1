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

    /// <summary>
    /// Starts the span of work done for a group of callers (a group commit, a replicated batch): a child of the first
    /// sampled caller's span and linked to every other sampled caller's, so each caller's trace reaches the work that
    /// served it. A group whose callers were all sampled out gets an unrecorded stand-in, under which no span of ours is
    /// recorded either; a group with no traced caller gets none.
    /// </summary>
    public static Activity? StartGroup(ActivitySource source, string name, IEnumerable<ActivityContext> callers)
    {
        if (!source.HasListeners())
        {
            return null;
        }
        ActivityContext parent = default;
        ActivityContext unsampled = default;
        List<ActivityLink>? links = null;
        foreach (ActivityContext caller in callers)
        {
            if (caller == default)
            {
                continue;
            }
            if ((caller.TraceFlags & ActivityTraceFlags.Recorded) == 0)
            {
                unsampled = caller;
            }
            else if (parent == default)
            {
                parent = caller;
            }
            else
            {
                (links ??= []).Add(new ActivityLink(caller));
            }
        }
        if (parent == default && unsampled != default)
        {
            return new Activity(name).SetParentId(unsampled.TraceId, unsampled.SpanId, ActivityTraceFlags.None).Start();
        }
        return source.StartActivity(name, ActivityKind.Internal, parent, tags: null, links);
    }
}
