namespace DprCluster.Text.Tests.Corpora;

/// <summary>Finds ../shared/data next to the repository root (the directory holding DprCluster.sln).</summary>
internal static class SharedData
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);

    private static string Locate()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "DprCluster.sln")))
            {
                string data = System.IO.Path.GetFullPath(System.IO.Path.Combine(directory.FullName, "..", "shared", "data"));
                return Directory.Exists(data)
                    ? data
                    : throw new DirectoryNotFoundException($"Shared data not found at {data}.");
            }
        }
        throw new DirectoryNotFoundException($"No DprCluster.sln above {AppContext.BaseDirectory}.");
    }
}
