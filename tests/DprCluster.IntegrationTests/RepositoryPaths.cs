namespace DprCluster.IntegrationTests;

/// <summary>Locations in the repository the tests need: the CLI build, the tiny test model and the sample corpus.</summary>
internal static class RepositoryPaths
{
    /// <summary>The directory holding DprCluster.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>dprcluster.dll of the CLI build in the same configuration as these tests.</summary>
    public static string CliAssembly
    {
        get
        {
            // The tests run from tests/DprCluster.IntegrationTests/bin/<Configuration>/<tfm>/.
            string tfm = new DirectoryInfo(AppContext.BaseDirectory).Name;
            string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            string path = Path.Combine(Root, "src", "DprCluster.Cli", "bin", configuration, tfm, "dprcluster.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build the CLI first: {path} is missing.", path);
        }
    }

    /// <summary>The tiny BERT model the encoder tests generated (tests/models/tiny-bert).</summary>
    public static string TinyModel => Path.Combine(Root, "tests", "models", "tiny-bert");

    /// <summary>The demo's built-in corpus.</summary>
    public static string SampleCorpus => Path.Combine(Root, "src", "DprCluster.Cli", "Resources", "sample-corpus.jsonl");

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
