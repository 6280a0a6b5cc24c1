namespace DprCluster.DeploymentTests.Cluster;

/// <summary>Where the repository, its deployment files, the built `dprcluster` command and the shared data are.</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");

    public static string Dashboards => Path.Combine(Deploy, "grafana", "dashboards");

    public static string AlertRules => Path.Combine(Deploy, "prometheus", "alerts.yml");

    public static string Chart => Path.Combine(Root, "helm", "dprcluster");

    public static string SharedData => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    /// <summary>The CLI built in the same configuration as these tests (the project reference builds it first).</summary>
    public static string CliAssembly
    {
        get
        {
            // The tests run from tests/DprCluster.DeploymentTests/bin/<Configuration>/<tfm>/.
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = output.Name;
            string configuration = output.Parent!.Name;
            string path = Path.Combine(Root, "src", "DprCluster.Cli", "bin", configuration, framework, "dprcluster.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build the CLI first: {path} is missing.", path);
        }
    }

    /// <summary>The dotnet host that runs these tests, for starting silo processes.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DprCluster.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("No DprCluster.sln above " + AppContext.BaseDirectory);
    }
}
