namespace DprCluster.Encoders.Benchmarks;

/// <summary>Finds the repository (the folder holding DprCluster.sln) from the working directory or the binaries.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DprCluster.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("DprCluster.sln not found above the working directory.");
    }
}
