namespace DprCluster.Training;

/// <summary>
/// Splits 0..count into at most <c>threads</c> contiguous ranges and runs them in parallel: the same ranges for the
/// same thread count, so sums reduced range by range come out the same on every run.
/// </summary>
internal static class Partition
{
    /// <summary>Runs <paramref name="body"/>(start, end) over the ranges; range r is [r·count/T, (r+1)·count/T).</summary>
    public static void Run(int count, int threads, Action<int, int> body) => Run(count, threads, (_, start, end) => body(start, end));

    /// <summary>As <see cref="Run(int, int, Action{int, int})"/>, also passing the range's number (for per-range buffers).</summary>
    public static void Run(int count, int threads, Action<int, int, int> body)
    {
        int ranges = Ranges(count, threads);
        if (ranges <= 1)
        {
            body(0, 0, count);
            return;
        }
        Parallel.For(0, ranges, new ParallelOptions { MaxDegreeOfParallelism = ranges },
            r => body(r, (int)((long)r * count / ranges), (int)((long)(r + 1) * count / ranges)));
    }

    /// <summary>How many ranges <see cref="Run(int, int, Action{int, int, int})"/> makes.</summary>
    public static int Ranges(int count, int threads) => Math.Max(1, Math.Min(threads, count));
}
