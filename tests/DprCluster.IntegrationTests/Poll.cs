using System.Diagnostics;

namespace DprCluster.IntegrationTests;

/// <summary>Waits for a condition by polling it under a deadline, failing with a description when the deadline passes.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string description)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"Gave up after {deadline.TotalSeconds:F0} s waiting for: {description}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
