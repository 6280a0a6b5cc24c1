namespace DprCluster.Encoders.Tests;

/// <summary>Locates the repository (the folder holding DprCluster.sln) and the shared data beside it.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Models => Path.Combine(Root, "tests", "models");

    public static string Golden => Path.Combine(Root, "tests", "golden", "encoder");

    public static string TinyBert => Path.Combine(Models, "tiny-bert");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DprCluster.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("DprCluster.sln not found above " + AppContext.BaseDirectory);
    }
}
