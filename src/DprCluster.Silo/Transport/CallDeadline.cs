using System.Diagnostics;

namespace DprCluster.Silo.Transport;

/// <summary>
/// The deadline of the request this async flow serves, like gRPC's call deadline: set where a request enters a silo
/// (REST endpoint or transport endpoint) and read by outgoing transport calls, which forward the remaining time so
/// every silo on the path gives up at the same moment.
/// </summary>
public static class CallDeadline
{
    private static readonly AsyncLocal<long> Expires = new();

    /// <summary>Time left, or null when no deadline is set in this flow.</summary>
    public static TimeSpan? Remaining
    {
        get
        {
            long expires = Expires.Value;
            return expires == 0 ? null : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), expires);
        }
    }

    /// <summary>Sets the deadline of the current flow to <paramref name="budget"/> from now (a later one never extends an earlier).</summary>
    public static void Set(TimeSpan budget)
    {
        long expires = Stopwatch.GetTimestamp() + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        long current = Expires.Value;
        Expires.Value = current == 0 ? expires : Math.Min(current, expires);
    }
}
