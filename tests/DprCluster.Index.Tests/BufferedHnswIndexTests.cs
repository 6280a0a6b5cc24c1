using DprCluster.Index.Flat;
using DprCluster.Index.Hnsw;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Tests;

public class BufferedHnswIndexTests
{
    private const int Dim = 16;

    private static BufferedHnswIndex Create(Metric metric = Metric.InnerProduct, int maxUnindexed = 100_000, bool background = false) =>
        new(new HnswIndex(new HnswOptions(Dim, metric, M: 12, EfConstruction: 100, EfSearch: 64)),
            new BufferedIndexingOptions(maxUnindexed, Threads: 2, Background: background));

    /// <summary>Adds rows [from, to) of <paramref name="vectors"/> under their row numbers; with <paramref name="link"/>, into the graph.</summary>
    private static void AddRows(BufferedHnswIndex index, float[] vectors, int from, int to, bool link)
    {
        for (int i = from; i < to; i++)
        {
            index.Add(i, vectors.AsSpan(i * Dim, Dim));
        }
        if (link)
        {
            index.IndexPending();
        }
    }

    private static SearchHit[] Top(BufferedHnswIndex index, float[] query, int k, int ef)
    {
        var hits = new SearchHit[k];
        return hits[..index.Search(query, k, ef, hits, out _)];
    }

    [Theory]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    public void Buffered_writes_are_searched_exactly_until_the_indexer_links_them(Metric metric)
    {
        float[] vectors = SyntheticVectors.Clustered(600, Dim, 6, seed: 3);
        long[] ids = SyntheticVectors.Ids(600, first: 1000);
        FlatIndex exact = SyntheticVectors.Exact(Dim, metric, ids, vectors);
        using BufferedHnswIndex index = Create(metric);
        for (int i = 0; i < ids.Length; i++)
        {
            index.Add(ids[i], vectors.AsSpan(i * Dim, Dim));
        }
        Assert.Equal(600, index.Unindexed);
        Assert.Equal(0, index.Graph.Count);

        float[] queries = SyntheticVectors.Clustered(20, Dim, 6, seed: 4);
        var hits = new SearchHit[10];
        var expected = new SearchHit[10];
        for (int q = 0; q < 20; q++)
        {
            ReadOnlySpan<float> query = queries.AsSpan(q * Dim, Dim);
            Assert.Equal(10, index.Search(query, 10, 16, hits, out int scored));
            Assert.Equal(600, scored);
            exact.Search(query, 10, expected);
            Assert.Equal(expected.Select(h => h.Id), hits.Select(h => h.Id));
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(expected[i].Score, hits[i].Score, 1e-4f);
            }
        }

        Assert.Equal(600, index.IndexPending());
        Assert.Equal((0, 600), (index.Unindexed, index.Graph.Count));
        Assert.Equal(600, index.CountLive());
        Assert.True(SyntheticVectors.Recall(index.Graph, exact, queries, 10) > 0.9);
    }

    [Fact]
    public void A_buffered_replacement_or_removal_supersedes_what_the_graph_holds()
    {
        float[] vectors = SyntheticVectors.Clustered(300, Dim, 3, seed: 5);
        using BufferedHnswIndex index = Create();
        AddRows(index, vectors, 0, 300, link: true);
        float[] oldFive = vectors.AsSpan(5 * Dim, Dim).ToArray();
        float[] oldSeven = vectors.AsSpan(7 * Dim, Dim).ToArray();
        float[] newFive = new float[Dim];
        newFive[0] = 50f;

        index.Add(5, newFive);
        index.Remove(7);
        Assert.Equal(2, index.Unindexed);

        void Check(bool buffered)
        {
            var hits = new SearchHit[300];
            SearchHit[] found = hits[..index.Search(oldFive, 300, 400, hits, out _)];
            Assert.Equal(found.Length, found.Select(h => h.Id).Distinct().Count());
            Assert.DoesNotContain(found, h => h.Id == 7);
            // Every buffered add is scanned, so the replacement is certainly found; in the graph, as reachable as any node.
            Assert.True(found.Any(h => h.Id == 5) || !buffered);
            Assert.All(found.Where(h => h.Id == 5), h => Assert.Equal(VectorKernels.Dot(oldFive, newFive), h.Score, 1e-3f));
            Assert.Equal(5, Top(index, newFive, 1, 64)[0].Id);
            Assert.DoesNotContain(Top(index, oldSeven, 10, 64), h => h.Id == 7);
            var stored = new float[Dim];
            Assert.True(index.TryGetVector(5, stored));
            Assert.Equal(newFive, stored);
            Assert.False(index.TryGetVector(7, stored));
            Assert.Equal(299, index.CountLive());
        }

        Check(buffered: true);
        index.IndexPending();
        Assert.Equal(0, index.Unindexed);
        Check(buffered: false);
    }

    [Fact]
    public void Only_the_latest_of_repeated_buffered_writes_counts()
    {
        using BufferedHnswIndex index = Create();
        float[] first = new float[Dim];
        float[] second = new float[Dim];
        first[0] = 1f;
        second[1] = 1f;
        index.Add(1, first);
        index.Add(1, second);
        index.Add(2, first);
        index.Remove(2);
        index.Add(2, second);

        SearchHit[] hits = Top(index, second, 5, 16);
        Assert.Equal([1L, 2L], hits.Select(h => h.Id).Order());
        Assert.All(hits, h => Assert.Equal(1f, h.Score, 1e-6f));
        Assert.Equal(2, index.CountLive());

        index.IndexPending();
        Assert.Equal(2, index.Graph.Count);
        Assert.All(Top(index, second, 5, 16), h => Assert.Equal(1f, h.Score, 1e-6f));
    }

    [Fact]
    public void A_frozen_view_holds_the_graph_and_the_waiting_writes_in_order()
    {
        float[] vectors = SyntheticVectors.Clustered(40, Dim, 2, seed: 6);
        using BufferedHnswIndex index = Create();
        AddRows(index, vectors, 0, 20, link: true);
        AddRows(index, vectors, 20, 40, link: false);
        index.Remove(3);

        using BufferedHnswFrozenView view = index.Freeze();
        index.IndexPending();
        Assert.Equal(20, view.Graph.Count);
        Assert.Equal(21, view.UnindexedCount);
        var seen = new List<(long Id, bool Removal, float First)>();
        view.ForEachUnindexed((id, vector) => seen.Add((id, vector.IsEmpty, vector.IsEmpty ? 0 : vector[0])));
        Assert.Equal(Enumerable.Range(20, 20).Select(i => (long)i).Append(3), seen.Select(s => s.Id));
        Assert.Equal(Enumerable.Repeat(false, 20).Append(true), seen.Select(s => s.Removal));
        Assert.Equal(vectors[20 * Dim], seen[0].First);
    }

    [Fact]
    public async Task The_writer_waits_for_room_while_the_buffer_is_full()
    {
        using BufferedHnswIndex index = Create(maxUnindexed: 8);
        float[] vectors = SyntheticVectors.Clustered(8, Dim, 1, seed: 7);
        Assert.True(index.WaitForRoomAsync().IsCompleted);
        AddRows(index, vectors, 0, 8, link: false);
        Task room = index.WaitForRoomAsync();
        Assert.False(room.IsCompleted);
        index.IndexPending();
        await room.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void The_background_indexer_links_every_write_and_none_is_ever_missing_from_searches()
    {
        const int count = 3000;
        float[] vectors = SyntheticVectors.Clustered(count, Dim, 30, seed: 8);
        using BufferedHnswIndex index = Create(Metric.L2, background: true);
        var hits = new SearchHit[1];
        int missed = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> vector = vectors.AsSpan(i * Dim, Dim);
            index.Add(i, vector);
            // Right after the write, wherever the indexer has got to, its own vector finds it.
            index.Search(vector, 1, 200, hits, out _);
            missed += hits[0].Id == i || hits[0].Score == 0f ? 0 : 1;
        }
        Assert.Equal(0, missed);
        SpinWait.SpinUntil(() => index.Unindexed == 0, TimeSpan.FromMinutes(2));
        Assert.Equal((0, count), (index.Unindexed, index.Graph.Count));
        Assert.Null(index.IndexingError);
    }

    [Fact]
    public void A_scan_judges_writes_by_the_tail_it_started_from()
    {
        var writes = new UnindexedWrites(Dim);
        float[] first = new float[Dim];
        float[] second = new float[Dim];
        first[0] = 1f;
        second[0] = 2f;
        var hits = new SearchHit[4];

        writes.Append(7, first);
        long tail = writes.Tail;
        writes.Append(7, second); // after the scan's tail: the scan still answers with the first
        Assert.Equal(1, writes.Scan(first, l2: false, tail, 4, hits, out _));
        Assert.Equal((7L, 1f), (hits[0].Id, hits[0].Score));
        Assert.True(writes.HidesGraphEntry(7, tail));
        Assert.Equal(1, writes.Scan(first, l2: false, writes.Tail, 4, hits, out _));
        Assert.Equal((7L, 2f), (hits[0].Id, hits[0].Score));

        // An id only the graph held: a write appended after the scan's tail leaves the graph's answer standing.
        long before = writes.Tail;
        writes.Append(9, second);
        Assert.False(writes.HidesGraphEntry(9, before));
        Assert.True(writes.HidesGraphEntry(9, writes.Tail));
        Assert.False(writes.HidesGraphEntry(10, writes.Tail));
    }

    [Fact]
    public void Buffered_removals_of_the_best_hits_do_not_shorten_the_answer()
    {
        float[] vectors = SyntheticVectors.Clustered(200, Dim, 2, seed: 9);
        using BufferedHnswIndex index = Create();
        AddRows(index, vectors, 0, 200, link: true);
        float[] query = vectors.AsSpan(0, Dim).ToArray();
        SearchHit[] before = Top(index, query, 30, 200);
        for (int i = 0; i < 10; i++)
        {
            index.Remove(before[i].Id);
        }
        SearchHit[] after = Top(index, query, 10, 200);
        Assert.Equal(10, after.Length);
        Assert.Empty(after.Select(h => h.Id).Intersect(before.Take(10).Select(h => h.Id)));
        Assert.Equal(before.Skip(10).Take(10).Select(h => h.Id), after.Select(h => h.Id));
    }
}
