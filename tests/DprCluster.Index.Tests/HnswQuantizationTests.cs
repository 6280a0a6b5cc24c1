using System.Buffers.Binary;
using DprCluster.Core.Storage;
using DprCluster.Index.Flat;
using DprCluster.Index.Hnsw;
using DprCluster.Index.Quantization;
using DprCluster.Index.Vectors;

namespace DprCluster.Index.Tests;

public unsafe class HnswQuantizationTests
{
    private const int Dim = 48;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(33)]
    [InlineData(384)]
    public void The_sq8_kernels_agree_with_plain_loops(int dimensions)
    {
        var random = new Random(dimensions);
        float[] query = new float[dimensions];
        float[] weights = new float[dimensions];
        byte[] codes = new byte[dimensions];
        for (int i = 0; i < dimensions; i++)
        {
            query[i] = SyntheticVectors.Gaussian(random) * 40f;
            weights[i] = (float)random.NextDouble();
            codes[i] = (byte)random.Next(256);
        }
        fixed (float* q = query)
        fixed (float* w = weights)
        fixed (byte* c = codes)
        {
            float dot = Sq8ReferenceKernels.Dot(q, c, dimensions);
            float l2 = Sq8ReferenceKernels.WeightedSquaredL2(q, w, c, dimensions);
            Assert.Equal(dot, Sq8Kernels.Dot(q, c, dimensions), 1e-3f * (1 + MathF.Abs(dot)));
            Assert.Equal(l2, Sq8Kernels.WeightedSquaredL2(q, w, c, dimensions), 1e-3f * (1 + l2));
        }
    }

    [Fact]
    public void Codes_read_back_within_half_a_step_inside_the_range_and_saturate_outside_it()
    {
        float[] low = [-1f, 0f, 5f];
        float[] high = [1f, 10f, 5f];
        var range = Sq8Range.Covering(low, high);
        float[] inside = [0.3f, 9.99f, 5f];
        byte* codes = stackalloc byte[3];
        var decoded = new float[3];
        range.Encode(inside, codes);
        range.Decode(codes, decoded);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(MathF.Abs(decoded[i] - inside[i]) <= range.Scale[i] / 2 + 1e-6f, $"dimension {i}: {inside[i]} read back as {decoded[i]}");
        }
        range.Encode([-7f, 11f, 4f], codes);
        Assert.Equal(0, codes[0]);
        Assert.Equal(255, codes[1]);
        Assert.Equal(0, codes[2]);
    }

    [Fact]
    public void The_trainer_publishes_the_range_of_what_it_saw_at_doubling_counts_and_then_freezes()
    {
        var trainer = new Sq8Trainer(1);
        Assert.NotNull(trainer.Observe([0f]));
        Assert.NotNull(trainer.Observe([2f]));
        Assert.Null(trainer.Observe([1f]));
        Sq8Range? published = null;
        for (int i = 3; i < Sq8Trainer.TrainingVectors; i++)
        {
            published = trainer.Observe([i == 100 ? -4f : 1f]) ?? published;
        }
        Assert.NotNull(published);
        Assert.Equal(-4f, published!.Min[0]);
        Assert.Equal(6f / 255f, published.Scale[0], 1e-6f);
        Assert.True(trainer.Frozen);
        Assert.Null(trainer.Observe([1000f]));
    }

    [Theory]
    [InlineData(Metric.InnerProduct)]
    [InlineData(Metric.Cosine)]
    [InlineData(Metric.L2)]
    public void Sq8_search_loses_little_recall_against_float32_and_returns_exact_scores(Metric metric)
    {
        float[] data = SyntheticVectors.Clustered(4000, Dim, 12, seed: 5);
        float[] queries = SyntheticVectors.Clustered(100, Dim, 12, seed: 6);
        var exact = new FlatIndex(Dim, metric);
        var full = new HnswIndex(new HnswOptions(Dim, metric, M: 12, EfConstruction: 100, EfSearch: 64));
        var quantized = new HnswIndex(new HnswOptions(Dim, metric, M: 12, EfConstruction: 100, EfSearch: 64, Quantization: VectorQuantization.Sq8));
        long[] ids = SyntheticVectors.Ids(4000);
        for (int i = 0; i < ids.Length; i++)
        {
            exact.Add(ids[i], data.AsSpan(i * Dim, Dim));
        }
        // One build thread: a parallel build's graph, and so its recall, differs from run to run (a 0.023 gap was seen in
        // CI with two), and this compares the codes, not two random graphs.
        full.AddRange(ids, data, threads: 1);
        quantized.AddRange(ids, data, threads: 1);

        double fullRecall = SyntheticVectors.Recall(full, exact, queries, 10);
        double quantizedRecall = SyntheticVectors.Recall(quantized, exact, queries, 10);
        Assert.True(quantizedRecall >= fullRecall - 0.02, $"recall@10: float32 {fullRecall:F3}, sq8 {quantizedRecall:F3}");

        // Re-ranking on the originals: every returned score is the full-precision similarity.
        var hits = new SearchHit[10];
        var stored = new float[Dim];
        int found = quantized.Search(queries.AsSpan(0, Dim), 10, hits);
        Assert.Equal(10, found);
        var query = queries.AsSpan(0, Dim).ToArray();
        if (metric == Metric.Cosine)
        {
            VectorKernels.Normalize(query);
        }
        for (int i = 0; i < found; i++)
        {
            Assert.True(quantized.TryGetVector(hits[i].Id, stored));
            float expected = metric == Metric.L2 ? -VectorKernels.SquaredL2(query, stored) : VectorKernels.Dot(query, stored);
            Assert.Equal(expected, hits[i].Score, 1e-4f * (1 + MathF.Abs(expected)));
        }
    }

    [Fact]
    public void The_codes_take_a_quarter_of_the_float32_bytes_when_the_originals_are_on_disk()
    {
        using var directory = new ScratchDirectory();
        float[] data = SyntheticVectors.Clustered(3000, 256, 8, seed: 2);
        var full = new HnswIndex(new HnswOptions(256, M: 8, EfConstruction: 40));
        var quantized = new HnswIndex(new HnswOptions(256, M: 8, EfConstruction: 40, Quantization: VectorQuantization.Sq8), directory.Path);
        full.AddRange(SyntheticVectors.Ids(3000), data, threads: 2);
        quantized.AddRange(SyntheticVectors.Ids(3000), data, threads: 2);
        Assert.Equal("disk", quantized.OriginalsMedium);
        // 256 bytes of codes instead of 1,024 of floats per node; links, ids and flags are the same in both.
        long saved = full.MemoryBytes - quantized.MemoryBytes;
        Assert.True(saved >= 3000L * 768, $"float32 {full.MemoryBytes} B, sq8 {quantized.MemoryBytes} B");
        // The scratch file is unlinked at once: nothing is left in the directory.
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void A_snapshot_carries_the_range_and_the_originals_and_a_loaded_index_answers_alike()
    {
        using var directory = new ScratchDirectory();
        float[] data = SyntheticVectors.Clustered(1500, Dim, 6, seed: 9);
        var index = new HnswIndex(new HnswOptions(Dim, Metric.L2, M: 8, EfConstruction: 60, Quantization: VectorQuantization.Sq8), directory.Path);
        index.AddRange(SyntheticVectors.Ids(1200), data.AsSpan(0, 1200 * Dim), threads: 1);
        for (long id = 0; id < 100; id++)
        {
            index.Remove(id);
        }
        for (int i = 1200; i < 1300; i++)
        {
            index.Add(i, data.AsSpan(i * Dim, Dim));
        }
        using var stream = new MemoryStream();
        index.Save(stream);
        stream.Position = 0;
        HnswIndex loaded = HnswIndex.Load(stream, "test", directory.Path);
        Assert.Equal(VectorQuantization.Sq8, loaded.Options.Quantization);
        Assert.Equal(index.Count, loaded.Count);
        var a = new SearchHit[10];
        var b = new SearchHit[10];
        for (int q = 1300; q < 1340; q++)
        {
            int n = index.Search(data.AsSpan(q * Dim, Dim), 10, a);
            Assert.Equal(n, loaded.Search(data.AsSpan(q * Dim, Dim), 10, b));
            Assert.Equal(a.AsSpan(0, n).ToArray(), b.AsSpan(0, n).ToArray());
        }
        var original = new float[Dim];
        Assert.True(loaded.TryGetVector(1250, original));
        Assert.Equal(data.AsSpan(1250 * Dim, Dim).ToArray(), original);

        // Adds after the load keep working on the restored range, and compaction rebuilds on the originals.
        for (int i = 1300; i < 1500; i++)
        {
            loaded.Add(i, data.AsSpan(i * Dim, Dim));
        }
        for (long id = 1300; id < 1350; id++)
        {
            loaded.Remove(id);
        }
        Assert.True(loaded.Compact(tombstoneRatio: 0.01));
        Assert.Equal(1350, loaded.Count);
        Assert.True(loaded.TryGetVector(1499, original));
        Assert.Equal(data.AsSpan(1499 * Dim, Dim).ToArray(), original);
        Assert.Equal(1499, loaded.Search(data.AsSpan(1499 * Dim, Dim), 1)[0].Id);
    }

    [Fact]
    public void A_version_1_snapshot_without_a_quantization_field_still_loads_as_float32()
    {
        float[] data = SyntheticVectors.Clustered(300, Dim, 4, seed: 12);
        var index = new HnswIndex(new HnswOptions(Dim, M: 8, EfConstruction: 40));
        index.AddRange(SyntheticVectors.Ids(300), data, threads: 1);
        using var stream = new MemoryStream();
        index.Save(stream);
        byte[] v1 = ToVersion1(stream.ToArray());
        HnswIndex loaded = HnswIndex.Load(new MemoryStream(v1));
        Assert.Equal(VectorQuantization.None, loaded.Options.Quantization);
        Assert.Equal(index.Search(data.AsSpan(7 * Dim, Dim), 5), loaded.Search(data.AsSpan(7 * Dim, Dim), 5));
    }

    [Fact]
    public void A_corrupt_sq8_range_is_refused_with_a_snapshot_error()
    {
        float[] data = SyntheticVectors.Clustered(200, Dim, 4, seed: 13);
        var index = new HnswIndex(new HnswOptions(Dim, M: 8, EfConstruction: 40, Quantization: VectorQuantization.Sq8));
        index.AddRange(SyntheticVectors.Ids(200), data, threads: 1);
        using var stream = new MemoryStream();
        index.Save(stream);
        byte[] bytes = stream.ToArray();
        // The range section follows the flags section; flip a byte of its first scale.
        int header = 8 + 4 + 11 * 4 + 4; // magic, version, 11 fields, CRC
        int rangeStart = header + 200 * 8 + 4 + 200 + 4 + 200 + 4;
        bytes[rangeStart + 4 + Dim * 4 + 2] ^= 0x40;
        var error = Assert.Throws<SnapshotFormatException>(() => HnswIndex.Load(new MemoryStream(bytes)));
        Assert.Equal(SnapshotProblem.ChecksumMismatch, error.Problem);
    }

    /// <summary>Rewrites a version 2 float32 snapshot's header in the version 1 layout (no quantization field).</summary>
    private static byte[] ToVersion1(byte[] v2)
    {
        // Magic (8), version, six fields, quantization, four fields, CRC32C; version 1 lacks the quantization.
        const int beforeQuantization = 8 + 4 + 6 * 4;
        const int v2HeaderLength = beforeQuantization + 4 + 4 * 4;
        byte[] header = [.. v2.AsSpan(0, beforeQuantization), .. v2.AsSpan(beforeQuantization + 4, 4 * 4)];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 1);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Compute(header));
        return [.. header, .. crc, .. v2.AsSpan(v2HeaderLength + 4)];
    }

    /// <summary>A fresh directory under the temp folder, removed with everything in it.</summary>
    private sealed class ScratchDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("dprcluster-sq8-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
