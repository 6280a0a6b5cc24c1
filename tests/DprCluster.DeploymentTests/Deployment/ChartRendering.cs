using System.Text.Json;
using DprCluster.DeploymentTests.Cluster;
using DprCluster.Testing;

namespace DprCluster.DeploymentTests.Deployment;

/// <summary>
/// Renders helm/dprcluster with render_chart/ (Helm's template engine: Go text/template, Sprig and sigs.k8s.io/yaml
/// from Debian's Go packages, built here with Debian's Go because no helm binary is installable) for two sets of
/// values: the chart's defaults and <c>chart-all-features.yaml</c>, which switches on every optional part.
/// </summary>
public sealed class ChartRendering : IAsyncLifetime
{
    /// <summary>Release name and namespace of the all-features rendering (the defaults use dprcluster / default).</summary>
    public const string FeaturesRelease = "search";

    /// <inheritdoc cref="FeaturesRelease"/>
    public const string FeaturesNamespace = "prod";

    private readonly string _work = Directory.CreateTempSubdirectory("dprcluster-chart-").FullName;

    /// <summary>The rendering with default values: a JSON array of {source, object}.</summary>
    public string DefaultsFile => Path.Combine(_work, "defaults.json");

    /// <summary>The rendering with <c>chart-all-features.yaml</c>.</summary>
    public string FeaturesFile => Path.Combine(_work, "all-features.json");

    /// <summary>Rendered objects with default values.</summary>
    public IReadOnlyList<JsonElement> Defaults { get; private set; } = [];

    /// <summary>Rendered objects with every optional part switched on.</summary>
    public IReadOnlyList<JsonElement> Features { get; private set; } = [];

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        string renderer = await BuildRendererAsync();
        string features = Path.Combine(RepositoryPaths.Root, "tests", "DprCluster.DeploymentTests", "Deployment", "chart-all-features.yaml");
        await RenderAsync(renderer, DefaultsFile, []);
        await RenderAsync(renderer, FeaturesFile, ["-values", features, "-release", FeaturesRelease, "-namespace", FeaturesNamespace]);
        Defaults = Objects(DefaultsFile);
        Features = Objects(FeaturesFile);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Builds the renderer in GOPATH mode against Debian's Go sources (/usr/share/gocode); its go.mod makes Go resolve
    /// Sprig's <c>/v3</c> import path there (minimal module compatibility). The build cache is kept between runs.
    /// </summary>
    private async Task<string> BuildRendererAsync()
    {
        string source = Path.Combine(RepositoryPaths.Root, "tests", "DprCluster.DeploymentTests", "Deployment", "render_chart");
        string package = Path.Combine(_work, "gopath", "src", "render_chart");
        Directory.CreateDirectory(package);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(package, Path.GetFileName(file)));
        }
        string binary = Path.Combine(_work, "render_chart");
        string cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dprcluster", "go-build");
        (int code, string output) = await Tool.RunAsync("go", ["build", "-o", binary, "."], package, TimeSpan.FromMinutes(5),
            new Dictionary<string, string>
            {
                ["GO111MODULE"] = "off",
                ["GOPATH"] = $"{Path.Combine(_work, "gopath")}:/usr/share/gocode",
                ["GOCACHE"] = cache,
                ["GOFLAGS"] = "",
            });
        Assert.True(code == 0, "building render_chart failed (are golang-go, golang-github-masterminds-sprig-dev and " +
            $"golang-k8s-sigs-yaml-dev installed? .ci/run installs them):\n{output}");
        return binary;
    }

    private static async Task RenderAsync(string renderer, string output, string[] arguments)
    {
        (int code, string text) = await Tool.RunAsync(renderer, ["-chart", RepositoryPaths.Chart, "-json", "-out", output, .. arguments]);
        Assert.True(code == 0, text);
    }

    private static List<JsonElement> Objects(string file)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
        var objects = new List<JsonElement>();
        foreach (JsonElement entry in document.RootElement.EnumerateArray())
        {
            objects.Add(entry.GetProperty("object").Clone());
        }
        return objects;
    }
}
