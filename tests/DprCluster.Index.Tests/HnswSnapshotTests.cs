using DprCluster.Index.Hnsw;
using DprCluster.Index.Vectors;
using DprCluster.Core.Storage;

namespace DprCluster.Index.Tests;

public class HnswSnapshotTests
{
    private const int Dim = 16;

    private static (HnswIndex Index, float[] Data) BuildWithDeletes()
    {
        float[] data = SyntheticVectors.Clustered(1200, Dim, 6, seed: 81);
        var index = new HnswIndex(new HnswOptions(Dim, Metric.InnerProduct, M: 8, EfConstruction: 64, EfSearch: 40, Seed: 3));
        index.AddRange(SyntheticVectors.Ids(1000, first: -500), data.AsSpan(0, 1000 * Dim), threads: 1);
        for (long id = -500; id < -400; id++)
        {
            index.Remove(id);
        }
        for (int i = 1000; i < 1050; i++)
        {
            index.Add(10_000 + i, data.AsSpan(i * Dim, Dim));
        }
        return (index, data);
    }

    private static byte[] Snapshot(HnswIndex index)
    {
        using var stream = new MemoryStream();
        index.Save(stream);
        return stream.ToArray();
    }

    [Fact]
    public void A_frozen_view_saves_the_index_as_it_was_while_adds_replacements_and_removes_go_on()
    {
        (HnswIndex index, float[] data) = BuildWithDeletes();
        byte[] before = Snapshot(index);
        int slots = index.SlotCount;
        byte[] frozen;
        using (HnswFrozenView view = index.Freeze())
        {
            // Deleted slots exist, but none may be reused while the view lives: new and replaced nodes take fresh ones.
            for (int i = 1050; i < 1100; i++)
            {
                index.Add(20_000 + i, data.AsSpan(i * Dim, Dim));
            }
            index.Add(-300, data.AsSpan(1100 * Dim, Dim));
            for (long id = -399; id < -350; id++)
            {
                index.Remove(id);
            }
            Assert.Equal(slots + 51, index.SlotCount);
            using var stream = new MemoryStream();
            view.Save(stream);
            frozen = stream.ToArray();
        }
        Assert.Equal(before, frozen);

        // Once the view is gone, deleted slots are reused again.
        int grown = index.SlotCount;
        index.Add(30_000, data.AsSpan(1101 * Dim, Dim));
        Assert.Equal(grown, index.SlotCount);
    }

    [Fact]
    public void Round_trip_gives_identical_results_and_state()
    {
        (HnswIndex original, float[] data) = BuildWithDeletes();
        HnswIndex loaded = HnswIndex.Load(new MemoryStream(Snapshot(original)));

        Assert.Equal(original.Options, loaded.Options);
        Assert.Equal(original.Count, loaded.Count);
        Assert.Equal(original.DeletedCount, loaded.DeletedCount);
        Assert.Equal(original.SlotCount, loaded.SlotCount);
        for (int q = 0; q < 100; q++)
        {
            ReadOnlySpan<float> query = data.AsSpan((q * 11) * Dim, Dim);
            Assert.Equal(original.Search(query, 10), loaded.Search(query, 10));
        }

        // The loaded index keeps working as a writable index: the next add reuses a deleted slot in both.
        original.Add(77_777, data.AsSpan(1100 * Dim, Dim));
        loaded.Add(77_777, data.AsSpan(1100 * Dim, Dim));
        Assert.Equal(original.SlotCount, loaded.SlotCount);
        Assert.Equal(original.Search(data.AsSpan(1100 * Dim, Dim), 5), loaded.Search(data.AsSpan(1100 * Dim, Dim), 5));
        Assert.Equal(Snapshot(original), Snapshot(loaded));
    }

    [Fact]
    public void Save_to_a_path_replaces_the_file_atomically()
    {
        (HnswIndex index, _) = BuildWithDeletes();
        string directory = Directory.CreateTempSubdirectory("dprcluster-hnsw-").FullName;
        try
        {
            string path = Path.Combine(directory, "shard.hnsw");
            File.WriteAllText(path, "old contents");
            index.Save(path);
            Assert.False(File.Exists(path + ".tmp"));
            Assert.Equal(index.Count, HnswIndex.Load(path).Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Every_truncation_is_rejected_as_truncated()
    {
        byte[] bytes = Snapshot(BuildWithDeletes().Index);
        var random = new Random(1);
        int[] cuts = [0, 1, 7, 8, 12, 60, bytes.Length / 3, bytes.Length / 2, bytes.Length - 5, bytes.Length - 1, random.Next(bytes.Length)];
        foreach (int cut in cuts)
        {
            var error = Assert.Throws<SnapshotFormatException>(() => HnswIndex.Load(new MemoryStream(bytes[..cut]), "cut.hnsw"));
            Assert.Equal(SnapshotProblem.Truncated, error.Problem);
            Assert.Contains("cut.hnsw", error.Message);
        }
    }

    [Fact]
    public void A_flipped_byte_anywhere_is_rejected()
    {
        byte[] bytes = Snapshot(BuildWithDeletes().Index);
        var random = new Random(2);
        for (int trial = 0; trial < 40; trial++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            int position = trial == 0 ? 20 : 8 + random.Next(damaged.Length - 8);
            damaged[position] ^= (byte)(1 << random.Next(8));
            var error = Assert.Throws<SnapshotFormatException>(() => HnswIndex.Load(new MemoryStream(damaged)));
            Assert.True(error.Problem is SnapshotProblem.ChecksumMismatch or SnapshotProblem.UnsupportedVersion,
                $"byte {position}: {error.Problem}: {error.Message}");
        }
    }

    [Fact]
    public void Wrong_magic_and_future_versions_are_named()
    {
        byte[] bytes = Snapshot(BuildWithDeletes().Index);
        byte[] other = (byte[])bytes.Clone();
        other[0] = (byte)'X';
        Assert.Equal(SnapshotProblem.BadMagic, Assert.Throws<SnapshotFormatException>(() => HnswIndex.Load(new MemoryStream(other))).Problem);

        byte[] future = (byte[])bytes.Clone();
        future[8] = 3;
        var error = Assert.Throws<SnapshotFormatException>(() => HnswIndex.Load(new MemoryStream(future)));
        Assert.Equal(SnapshotProblem.UnsupportedVersion, error.Problem);
        Assert.Contains("version 3", error.Message);
    }

    [Fact]
    public void Well_checksummed_nonsense_is_rejected_as_invalid_content()
    {
        // A neighbour id beyond the node count, with the section checksum recomputed so only validation can catch it.
        var index = new HnswIndex(new HnswOptions(2, Metric.L2, M: 2));
        index.Add(1, [0, 0]);
        index.Add(2, [1, 1]);
        byte[] bytes = Snapshot(index);
        int headerBytes = 8 + 12 * 4 + 4;
        int linksStart = headerBytes + (2 * 8 + 4) + (2 + 4) + (2 + 4) + (2 * 2 * 4 + 4);
        int firstNeighbor = linksStart + 4;
        Assert.Equal(1, BitConverter.ToInt32(bytes, firstNeighbor));
        BitConverter.TryWriteBytes(bytes.AsSpan(firstNeighbor), 99);
        int linksLength = 2 * (2 * 2 + 1) * 4;
        BitConverter.TryWriteBytes(bytes.AsSpan(linksStart + linksLength), Crc32C.Compute(bytes.AsSpan(linksStart, linksLength)));

        var error = Assert.Throws<SnapshotFormatException>(() => HnswIndex.Load(new MemoryStream(bytes)));
        Assert.Equal(SnapshotProblem.InvalidContent, error.Problem);
        Assert.Contains("links to 99", error.Message);
    }
}
