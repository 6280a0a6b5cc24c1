using System.Diagnostics;

namespace DprCluster.Cli.Cluster;

/// <summary>
/// A progress bar on stderr: redrawn in place on a terminal, a line every few seconds when stderr is redirected.
/// </summary>
internal sealed class ProgressLine(string unit, long total)
{
    private const int Width = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private TimeSpan? _lastDrawn;

    /// <summary>Elapsed time since the bar was created.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Redraws with <paramref name="done"/> items finished (throttled), <paramref name="detail"/> after the rate.</summary>
    public void Report(long done, bool force = false, string? detail = null)
    {
        TimeSpan now = _clock.Elapsed;
        TimeSpan interval = _terminal ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5);
        if (!force && _lastDrawn is TimeSpan last && now - last < interval)
        {
            return;
        }
        _lastDrawn = now;
        double rate = done / Math.Max(now.TotalSeconds, 1e-9);
        double fraction = total > 0 ? Math.Min(1.0, (double)done / total) : 0;
        int filled = (int)(fraction * Width);
        string eta = done >= total ? $"took {Format(now)}"
            : done > 0 ? $"ETA {Format(TimeSpan.FromSeconds((total - done) / rate))}"
            : "ETA --";
        string bar = $"[{new string('#', filled)}{new string('.', Width - filled)}] {done:N0}/{total:N0} {unit} {rate:N1}/s{(detail is null ? "" : " " + detail)} {eta}";
        if (_terminal)
        {
            Console.Error.Write("\r" + bar);
        }
        else
        {
            Console.Error.WriteLine(bar);
        }
    }

    private static string Format(TimeSpan time) =>
        time.TotalHours >= 1 ? $"{(int)time.TotalHours}h{time.Minutes:D2}m" : time.TotalMinutes >= 1 ? $"{time.Minutes}m{time.Seconds:D2}s" : $"{time.TotalSeconds:F0}s";

    /// <summary>Draws the final state and ends the line.</summary>
    public void Finish(long done, string? detail = null)
    {
        Report(done, force: true, detail);
        if (_terminal)
        {
            Console.Error.WriteLine();
        }
    }
}
