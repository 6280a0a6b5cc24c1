namespace DprCluster.Testing;

/// <summary>
/// Waits for a condition by polling it under a deadline, never with a fixed sleep. A probe that throws a transient
/// error (refused connection, timeout, a process still starting) counts as "not yet", so a loaded machine only makes
/// the wait longer; the last such error is reported when the deadline passes.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns the first non-null result of <paramref name="probe"/>; throws naming <paramref name="what"/> at the deadline.</summary>
    public static async Task<T> UntilAsync<T>(string what, TimeSpan deadline, Func<Task<T?>> probe) where T : class
    {
        DateTime giveUp = DateTime.UtcNow + deadline;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await probe() is T result)
                {
                    return result;
                }
            }
            catch (Exception e) when (IsTransient(e))
            {
                last = e;
            }
            if (DateTime.UtcNow > giveUp)
            {
                throw new TimeoutException($"Gave up after {deadline.TotalSeconds:F0} s waiting for {what}." +
                    (last is null ? "" : $" Last error: {last.Message}"), last);
            }
            await Task.Delay(Interval);
        }
    }

    /// <summary>Waits until <paramref name="probe"/> is true.</summary>
    public static Task UntilAsync(string what, TimeSpan deadline, Func<Task<bool>> probe) =>
        UntilAsync<object>(what, deadline, async () => await probe() ? true : null);

    private static bool IsTransient(Exception e) =>
        e is HttpRequestException or IOException or TaskCanceledException or TimeoutException or System.Net.Sockets.SocketException;
}
