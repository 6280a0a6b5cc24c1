namespace DprCluster.Testing;

/// <summary>Where the repository, its deployment files, the built <c>dprcluster</c> command and the shared data are.</summary>
public static class RepositoryPaths
{
    /// <summary>The directory holding DprCluster.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared/data</c> beside the repository root: test and benchmark data, never copied in.</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));

    /// <summary><c>../shared/models</c>: the tokenizer vocabulary and its tokenizer.json.</summary>
    public static string SharedModels => Path.GetFullPath(Path.Combine(Root, "..", "shared", "models"));

    /// <summary>The deployment files (Dockerfile, Prometheus, Grafana, Collector).</summary>
    public static string Deploy => Path.Combine(Root, "deploy");

    /// <summary>The Helm chart.</summary>
    public static string Chart => Path.Combine(Root, "helm", "dprcluster");

    /// <summary>A path under <see cref="SharedData"/>; throws when the shared data is not there.</summary>
    public static string SharedDataPath(params string[] parts) =>
        Directory.Exists(SharedData)
            ? Path.Combine([SharedData, .. parts])
            : throw new DirectoryNotFoundException($"Shared data not found at {SharedData}.");

    /// <summary>A path under the repository root.</summary>
    public static string InRepository(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The tiny ONNX models the encoder tests generated (tests/models).</summary>
    public static string TestModels => Path.Combine(Root, "tests", "models");

    /// <summary>Golden files (tests/golden).</summary>
    public static string Golden => Path.Combine(Root, "tests", "golden");

    /// <summary>The tiny BERT model the encoder tests generated (tests/models/tiny-bert).</summary>
    public static string TinyModel => Path.Combine(Root, "tests", "models", "tiny-bert");

    /// <summary>The demo's built-in corpus.</summary>
    public static string SampleCorpus => Path.Combine(Root, "src", "DprCluster.Cli", "Resources", "sample-corpus.jsonl");

    /// <summary>dprcluster.dll of the CLI build in the same configuration as the running tests (a project reference builds it first).</summary>
    public static string CliAssembly
    {
        get
        {
            // Tests run from tests/<project>/bin/<Configuration>/<tfm>/.
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string path = Path.Combine(Root, "src", "DprCluster.Cli", "bin", output.Parent!.Name, output.Name, "dprcluster.dll");
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
