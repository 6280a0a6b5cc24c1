using System.Buffers.Binary;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Core.Storage;

namespace DprCluster.Text.Tests.Bm25;

public class PersistenceTests
{
    private static byte[] Serialize(Bm25Index index)
    {
        using var stream = new MemoryStream();
        index.WriteTo(stream);
        return stream.ToArray();
    }

    private static Bm25Index Deserialize(byte[] bytes) => Bm25Index.ReadFrom(new MemoryStream(bytes), "test.bm25");

    private static Bm25Index BuildWithDeletes()
    {
        var corpus = new SyntheticCorpus(seed: 13, documents: 600);
        var parameters = new Bm25Parameters { K1 = 1.1f, B = 0.6f, LengthEncoding = DocumentLengthEncoding.Lucene };
        Bm25Index index = Bm25ScoringTests.Build(corpus.Documents, parameters);
        for (int d = 0; d < 600; d += 5)
        {
            index.Delete(corpus.Documents[d].Id);
        }
        index.Upsert("extra", "John's ünïcode 東京 w1 w1 w2");
        return index;
    }

    [Fact]
    public void A_frozen_view_writes_the_index_as_it_was_while_upserts_deletes_and_compactions_go_on()
    {
        Bm25Index index = BuildWithDeletes();
        byte[] before = Serialize(index);
        Bm25FrozenView view = index.Freeze();
        var corpus = new SyntheticCorpus(seed: 14, documents: 300);
        foreach ((string id, string[] terms) in corpus.Documents)
        {
            index.Upsert("new-" + id, string.Join(' ', terms));
        }
        index.Upsert("extra", "replaced text entirely");
        // Deleting every original passage leaves most postings dead, so the index compacts itself under the view.
        foreach ((string id, _) in new SyntheticCorpus(seed: 13, documents: 600).Documents)
        {
            index.Delete(id);
        }
        using var stream = new MemoryStream();
        view.WriteTo(stream);
        Assert.Equal(before, stream.ToArray());
        Assert.NotEqual(before, Serialize(index));
    }

    [Fact]
    public void RoundTripPreservesSettingsStatisticsAndResults()
    {
        using Bm25Index original = BuildWithDeletes();
        using Bm25Index restored = Deserialize(Serialize(original));

        Assert.Equal(original.Parameters, restored.Parameters);
        Assert.Equal(original.Analyzer.Options, restored.Analyzer.Options);
        Assert.Equal(original.Count, restored.Count);
        Bm25Statistics before = original.ExportStatistics();
        Bm25Statistics after = restored.ExportStatistics();
        Assert.Equal(before.DocumentCount, after.DocumentCount);
        Assert.Equal(before.TotalLength, after.TotalLength);
        Assert.Equal(before.DocumentFrequencies.OrderBy(p => p.Key), after.DocumentFrequencies.OrderBy(p => p.Key));

        var corpus = new SyntheticCorpus(seed: 99, documents: 0);
        for (int q = 0; q < 30; q++)
        {
            var query = new Bm25Query(corpus.Query(1 + q % 6));
            Assert.Equal(original.Search(query, 15), restored.Search(query, 15));
        }
        Assert.Equal(original.Search("東京 ünïcode", 3), restored.Search("東京 ünïcode", 3));
        Assert.False(restored.Contains("doc-00000"));
        Assert.True(restored.Contains("extra"));
    }

    [Fact]
    public void RestoredIndexAcceptsFurtherUpdates()
    {
        using Bm25Index restored = Deserialize(Serialize(BuildWithDeletes()));
        restored.Upsert("new", "w1 fresh words");
        Assert.True(restored.Delete("doc-00001"));
        Assert.Equal("new", restored.Search("fresh", 1)[0].Id);
    }

    [Fact]
    public void SaveAndLoadUseAFileAtomically()
    {
        string directory = Directory.CreateTempSubdirectory("bm25-").FullName;
        try
        {
            string path = Path.Combine(directory, "shard.bm25");
            using Bm25Index original = BuildWithDeletes();
            original.Save(path);
            Assert.False(File.Exists(path + ".tmp"));
            using Bm25Index loaded = Bm25Index.Load(path);
            Assert.Equal(original.Search("w3 w7", 10), loaded.Search("w3 w7", 10));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ReadingConsumesExactlyOneIndexSoFilesCanEmbedSeveral()
    {
        using Bm25Index first = BuildWithDeletes();
        using var second = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        second.Upsert("only", "a lonely passage");
        using var stream = new MemoryStream();
        first.WriteTo(stream);
        second.WriteTo(stream);
        stream.WriteByte(0xAB);

        stream.Position = 0;
        using Bm25Index readFirst = Bm25Index.ReadFrom(stream);
        using Bm25Index readSecond = Bm25Index.ReadFrom(stream);
        Assert.Equal(first.Count, readFirst.Count);
        Assert.Equal(["only"], readSecond.Search("lonely", 5).Select(h => h.Id));
        Assert.Equal(0xAB, stream.ReadByte());
    }

    [Fact]
    public void EmptyIndexRoundTrips()
    {
        using var empty = new Bm25Index(EnglishAnalyzer.Default, new Bm25Parameters());
        using Bm25Index restored = Deserialize(Serialize(empty));
        Assert.Equal(0, restored.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(100)]
    public void TruncatedFilesAreRejected(int keep)
    {
        byte[] bytes = Serialize(BuildWithDeletes());
        var problem = Assert.Throws<Bm25IndexFormatException>(() => Deserialize(bytes[..keep])).Problem;
        Assert.Equal(Bm25IndexProblem.Truncated, problem);
    }

    [Fact]
    public void TruncationJustBeforeTheEndIsRejected()
    {
        byte[] bytes = Serialize(BuildWithDeletes());
        var error = Assert.Throws<Bm25IndexFormatException>(() => Deserialize(bytes[..^1]));
        Assert.Equal(Bm25IndexProblem.Truncated, error.Problem);
        Assert.Contains("test.bm25", error.Message);
    }

    [Fact]
    public void FlippedPayloadBitsAreRejected()
    {
        byte[] bytes = Serialize(BuildWithDeletes());
        var random = new Random(4);
        for (int trial = 0; trial < 20; trial++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[random.Next(32, damaged.Length)] ^= (byte)(1 << random.Next(8));
            Assert.Equal(Bm25IndexProblem.ChecksumMismatch,
                Assert.Throws<Bm25IndexFormatException>(() => Deserialize(damaged)).Problem);
        }
    }

    [Fact]
    public void DamagedHeadersAreRejected()
    {
        byte[] bytes = Serialize(BuildWithDeletes());

        byte[] foreign = (byte[])bytes.Clone();
        foreign[0] = (byte)'X';
        Assert.Equal(Bm25IndexProblem.BadMagic, Assert.Throws<Bm25IndexFormatException>(() => Deserialize(foreign)).Problem);

        byte[] lengthChanged = (byte[])bytes.Clone();
        lengthChanged[16] ^= 1;
        Assert.Equal(Bm25IndexProblem.ChecksumMismatch,
            Assert.Throws<Bm25IndexFormatException>(() => Deserialize(lengthChanged)).Problem);

        byte[] future = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(future.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(future.AsSpan(28), Crc32C.Compute(future.AsSpan(0, 28)));
        Bm25IndexFormatException error = Assert.Throws<Bm25IndexFormatException>(() => Deserialize(future));
        Assert.Equal(Bm25IndexProblem.UnsupportedVersion, error.Problem);
        Assert.Contains("version 2", error.Message);
    }

    [Fact]
    public void WellChecksummedNonsenseIsRejected()
    {
        byte[] bytes = Serialize(BuildWithDeletes());
        byte[] payload = bytes[32..];
        payload[1] ^= 0x20; // the analyzer signature no longer names a known analyzer
        Assert.Equal(Bm25IndexProblem.InvalidContent,
            Assert.Throws<Bm25IndexFormatException>(() => Deserialize(Reframe(bytes, payload))).Problem);

        byte[] extended = [.. bytes[32..], 0x00];
        Assert.Equal(Bm25IndexProblem.InvalidContent,
            Assert.Throws<Bm25IndexFormatException>(() => Deserialize(Reframe(bytes, extended))).Problem);

        byte[] cut = bytes[32..^3];
        Assert.Equal(Bm25IndexProblem.InvalidContent,
            Assert.Throws<Bm25IndexFormatException>(() => Deserialize(Reframe(bytes, cut))).Problem);
    }

    // A header that checksums correctly around an arbitrary payload.
    private static byte[] Reframe(byte[] original, byte[] payload)
    {
        byte[] header = original[..32];
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), (ulong)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), Crc32C.Compute(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), Crc32C.Compute(header.AsSpan(0, 28)));
        return [.. header, .. payload];
    }
}
