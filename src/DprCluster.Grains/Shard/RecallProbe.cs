using System.Diagnostics;
using DprCluster.Grains.Telemetry;
using DprCluster.Index;
using DprCluster.Index.Hnsw;

namespace DprCluster.Grains.Shard;

/// <summary>
/// Measures the recall of a replica's own dense searches while it serves. At most one search per interval is taken:
/// its query, k and hits are handed to a background task that searches exactly (every stored vector) and records the
/// share of the exact top-k the graph search found in the recall histogram. Updates and deletes reshape the graph and
/// recall drifts with them; nothing else in the service shows that. The interval bounds the cost: one exact scan
/// scores every vector of the shard.
/// </summary>
internal sealed class RecallProbe
{
    private readonly long _intervalTicks;
    private readonly KeyValuePair<string, object?> _shard;
    private long _nextDue;
    private int _busy;
    private Task _running = Task.CompletedTask;
    private double _lastRecall = double.NaN;

    /// <summary>Creates the probe; an <paramref name="interval"/> of zero switches it off.</summary>
    public RecallProbe(TimeSpan interval, KeyValuePair<string, object?> shard)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        _shard = shard;
    }

    /// <summary>
    /// Whether this search is the one to measure: the interval has passed and no measurement is running. A true answer
    /// must be followed by <see cref="Measure"/>. Costs one timestamp when false.
    /// </summary>
    public bool TryTake()
    {
        if (_intervalTicks == 0)
        {
            return false;
        }
        long now = Stopwatch.GetTimestamp();
        if (now < Volatile.Read(ref _nextDue) || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }
        Volatile.Write(ref _nextDue, now + _intervalTicks);
        return true;
    }

    /// <summary>
    /// Measures, in the background, the search of <paramref name="query"/> (not modified afterwards by the caller) on
    /// <paramref name="index"/> that returned <paramref name="hits"/> for <paramref name="k"/>.
    /// </summary>
    public void Measure(HnswIndex index, float[] query, int k, ReadOnlySpan<SearchHit> hits)
    {
        float[] scores = new float[hits.Length];
        for (int i = 0; i < hits.Length; i++)
        {
            scores[i] = hits[i].Score;
        }
        _running = Task.Run(() =>
        {
            try
            {
                double? recall = Recall(index, query, k, scores);
                ShardTelemetry.RecordRecall(_shard, recall);
                if (recall is double measured)
                {
                    Volatile.Write(ref _lastRecall, measured);
                }
            }
            finally
            {
                Volatile.Write(ref _busy, 0);
            }
        });
    }

    /// <summary>The latest measured recall@k, or null before the first measurement.</summary>
    public double? LastRecall => Volatile.Read(ref _lastRecall) is double recall && !double.IsNaN(recall) ? recall : null;

    /// <summary>Completes when the measurement in flight, if any, has.</summary>
    public Task DrainAsync() => _running;

    /// <summary>
    /// Share of the exact top-k that <paramref name="found"/> (the searched hits' scores, best first) matches. A hit
    /// counts when it scores at least as well as the exact k-th: ids tied on score are interchangeable. Null when the
    /// shard is empty.
    /// </summary>
    internal static double? Recall(HnswIndex index, float[] query, int k, float[] found)
    {
        var exact = new SearchHit[k];
        int expected = index.SearchExact(query, k, exact);
        if (expected == 0)
        {
            return null;
        }
        float kth = exact[expected - 1].Score;
        float tolerance = 1e-5f * Math.Max(1f, Math.Abs(kth));
        int correct = 0;
        foreach (float score in found)
        {
            if (score >= kth - tolerance)
            {
                correct++;
            }
        }
        return Math.Min(correct, expected) / (double)expected;
    }
}
