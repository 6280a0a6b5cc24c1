namespace DprCluster.Grains.Tests;

/// <summary>A temporary directory removed when disposed.</summary>
internal sealed class TestDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("dprcluster-grains-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open on a failed test must not hide the failure.
        }
    }
}
