namespace DprCluster.Silo.Tests;

/// <summary>Files of the repository the tests use, found by walking up to DprCluster.sln.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string TinyModel => Path.Combine(Root, "tests", "models", "tiny-bert");

    private static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DprCluster.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No DprCluster.sln above {AppContext.BaseDirectory}.");
    }
}
