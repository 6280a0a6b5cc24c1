namespace DprCluster.Index.Tests;

/// <summary>Locates ../shared/data beside the repository root (the folder holding DprCluster.sln).</summary>
internal static class SharedData
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DprCluster.sln")))
            {
                return Path.Combine(dir.Parent!.FullName, "shared", "data");
            }
        }
        throw new DirectoryNotFoundException("DprCluster.sln not found above " + AppContext.BaseDirectory);
    }
}
