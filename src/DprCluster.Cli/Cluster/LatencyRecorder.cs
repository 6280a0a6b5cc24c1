namespace DprCluster.Cli.Cluster;

/// <summary>
/// Latencies of a load run, recorded without locks: each worker owns a slice of one preallocated array (the run is
/// bounded in requests, so the array is too). Percentiles use the nearest-rank method.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly double[][] _samples;
    private readonly int[] _counts;

    /// <summary>Room for <paramref name="perWorker"/> samples in each of <paramref name="workers"/> slices.</summary>
    public LatencyRecorder(int workers, int perWorker)
    {
        _samples = new double[workers][];
        for (int i = 0; i < workers; i++)
        {
            _samples[i] = new double[perWorker];
        }
        _counts = new int[workers];
    }

    /// <summary>Whether <paramref name="worker"/> has room for another sample.</summary>
    public bool HasRoom(int worker) => _counts[worker] < _samples[worker].Length;

    /// <summary>Records one latency of <paramref name="worker"/> (only that worker's thread calls this).</summary>
    public void Add(int worker, double milliseconds) => _samples[worker][_counts[worker]++] = milliseconds;

    /// <summary>All samples, sorted ascending.</summary>
    public double[] Sorted()
    {
        int total = 0;
        foreach (int count in _counts)
        {
            total += count;
        }
        var all = new double[total];
        int offset = 0;
        for (int i = 0; i < _samples.Length; i++)
        {
            Array.Copy(_samples[i], 0, all, offset, _counts[i]);
            offset += _counts[i];
        }
        Array.Sort(all);
        return all;
    }

    /// <summary>The nearest-rank <paramref name="percentile"/> (0–100) of sorted samples; NaN when empty.</summary>
    public static double Percentile(double[] sorted, double percentile)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        int rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
