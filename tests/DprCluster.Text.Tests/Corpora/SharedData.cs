namespace DprCluster.Text.Tests.Corpora;

/// <summary>
/// Finds the repository root (the directory holding DprCluster.sln, above the test binaries) and the shared data
/// beside it in ../shared/data.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string> Root = new(LocateRepository);

    /// <summary>A path under ../shared/data.</summary>
    public static string Path(params string[] parts)
    {
        string data = System.IO.Path.GetFullPath(System.IO.Path.Combine(Root.Value, "..", "shared", "data"));
        return Directory.Exists(data)
            ? System.IO.Path.Combine([data, .. parts])
            : throw new DirectoryNotFoundException($"Shared data not found at {data}.");
    }

    /// <summary>A path under the repository root.</summary>
    public static string RepositoryPath(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);

    private static string LocateRepository()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "DprCluster.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No DprCluster.sln above {AppContext.BaseDirectory}.");
    }
}
