using DprCluster.Index.Hnsw;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Tests;

public class HnswConcurrencyTests
{
    private const int Dim = 16;

    [Fact]
    public async Task Searches_during_writes_see_valid_results_and_no_insert_is_lost()
    {
        float[] data = SyntheticVectors.Clustered(6000, Dim, 12, seed: 91);
        var index = new HnswIndex(new HnswOptions(Dim, Metric.L2, M: 8, EfConstruction: 64, EfSearch: 32));
        index.AddRange(SyntheticVectors.Ids(2000), data.AsSpan(0, 2000 * Dim), threads: 2);

        int writesDone = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long searches = 0;
        void Read(int seed)
        {
            var random = new Random(seed);
            var hits = new SearchHit[10];
            var seen = new HashSet<long>();
            while (Volatile.Read(ref writesDone) == 0)
            {
                int found = index.Search(data.AsSpan(random.Next(6000) * Dim, Dim), 10, 32, hits);
                seen.Clear();
                for (int i = 0; i < found; i++)
                {
                    // Every id ever written is in [0, 6000); a torn list or slot would show up as junk or a repeat.
                    if (hits[i].Id is < 0 or >= 6000 || !seen.Add(hits[i].Id) || (i > 0 && hits[i].Score > hits[i - 1].Score))
                    {
                        failures.Enqueue($"bad result {hits[i]} at rank {i}");
                    }
                }
                Interlocked.Increment(ref searches);
            }
        }

        // The writer waits for the readers to make progress before it starts and after every 500 writes, so searches
        // really do run during the writes however the machine schedules the threads.
        void AwaitSearchesBeyond(long count)
        {
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            var spinner = new SpinWait();
            while (Interlocked.Read(ref searches) <= count)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "readers made no progress");
                spinner.SpinOnce();
            }
        }

        Task[] readers = [Task.Run(() => Read(1)), Task.Run(() => Read(2))];
        var expected = new HashSet<long>(SyntheticVectors.Ids(2000));
        try
        {
            AwaitSearchesBeyond(0);
            // Bounded: 4000 adds, with every third id of the old ones removed and half of those re-added.
            for (int i = 2000; i < 6000; i++)
            {
                if (i % 500 == 0)
                {
                    AwaitSearchesBeyond(Interlocked.Read(ref searches));
                }
                index.Add(i, data.AsSpan(i * Dim, Dim));
                expected.Add(i);
                if (i % 3 == 0)
                {
                    long victim = i - 2000;
                    if (index.Remove(victim))
                    {
                        expected.Remove(victim);
                    }
                    if (victim % 2 == 0)
                    {
                        index.Add(victim, data.AsSpan((int)victim * Dim, Dim));
                        expected.Add(victim);
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref writesDone, 1);
        }
        await Task.WhenAll(readers);

        Assert.Empty(failures);
        Assert.Equal(expected.Count, index.Count);
        var best = new SearchHit[1];
        var stored = new float[Dim];
        int foundSelf = 0;
        foreach (long id in expected)
        {
            Assert.True(index.TryGetVector(id, stored), $"insert of {id} lost");
            Assert.Equal(data.AsSpan((int)id * Dim, Dim).ToArray(), stored);
            index.Search(data.AsSpan((int)id * Dim, Dim), 1, 64, best);
            foundSelf += best[0].Id == id ? 1 : 0;
        }
        // HNSW leaves a handful of nodes without in-links at M=8 (hnswlib does too: 4 of 6000 here), so this is a
        // rate, not "every node".
        Assert.True(foundSelf >= 0.99 * expected.Count, $"{foundSelf} of {expected.Count} found themselves");
    }

    [Fact]
    public void Parallel_bulk_build_loses_nothing_and_matches_exact_search()
    {
        float[] data = SyntheticVectors.Clustered(4000, Dim, 10, seed: 92);
        long[] ids = SyntheticVectors.Ids(4000, first: 1L << 40);
        var index = new HnswIndex(new HnswOptions(Dim, Metric.L2, EfSearch: 64));
        int lastProgress = 0;
        index.AddRange(ids, data, threads: 4, progress: new SynchronousProgress(n => lastProgress = Math.Max(lastProgress, n)));

        Assert.Equal(4000, index.Count);
        Assert.Equal(4000, lastProgress);
        foreach (long id in ids)
        {
            Assert.True(index.Contains(id));
        }
        var exact = SyntheticVectors.Exact(Dim, Metric.L2, ids, data);
        Assert.True(SyntheticVectors.Recall(index, exact, SyntheticVectors.Clustered(100, Dim, 10, seed: 93), 10) >= 0.95);
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
