using System.Globalization;
using DprCluster.Silo.Client;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Testing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace DprCluster.WebConsole.Tests;

/// <summary>
/// One embedded silo (3 shards, the tiny test encoder, an API key) and one headless Debian chromium driven through its
/// chromedriver, shared by the console tests. Screenshots go to <see cref="Artifacts"/>.
/// </summary>
public sealed class ConsoleSession : IAsyncLifetime
{
    /// <summary>The API key writes need; the ingest view is given it by the test, as a user would type it.</summary>
    public const string ApiKey = "console-test-key";

    public const int Shards = 3;

    private readonly string _data = Directory.CreateTempSubdirectory("dprcluster-console-").FullName;
    private readonly LoopbackPorts _ports = LoopbackPorts.Lease(2);
    private SiloHost _host = null!;

    public ChromeDriver Browser { get; private set; } = null!;

    public Uri ApiUrl => _host.Plan.ApiUrl;

    /// <summary>Where the screenshots are written: <c>tests/artifacts/console</c> under the repository.</summary>
    public static string Artifacts { get; } = RepositoryPaths.InRepository("tests", "artifacts", "console");

    public async Task InitializeAsync()
    {
        _host = await SiloHost.StartAsync(SiloConfiguration.Load(null, new Dictionary<string, string?>
        {
            ["Silo:ApiUrl"] = $"http://127.0.0.1:{_ports.Ports[0].ToString(CultureInfo.InvariantCulture)}",
            ["Silo:SiloPort"] = _ports.Ports[1].ToString(CultureInfo.InvariantCulture),
            ["Silo:DataDirectory"] = _data,
            ["Cluster:ShardCount"] = Shards.ToString(CultureInfo.InvariantCulture),
            ["Encoder:Kind"] = "onnx",
            ["Encoder:QuestionModel"] = RepositoryPaths.TinyModel,
            ["Encoder:IntraOpThreads"] = "1",
            ["Api:ApiKey"] = ApiKey,
            ["Telemetry:Enabled"] = "false",
        }));
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            await Poll.UntilAsync("the embedded silo to be ready", TimeSpan.FromSeconds(90), async () =>
                (await http.GetAsync(new Uri(ApiUrl, "readyz"))).IsSuccessStatusCode);
        }
        using var client = new ClusterClient(ApiUrl, timeout: TimeSpan.FromSeconds(120), apiKey: ApiKey);
        await client.UpsertAsync(SampleCorpus.Passages);

        Directory.CreateDirectory(Artifacts);
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        ChromeDriverService service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        Browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(120));
        Browser.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(60);
    }

    public async Task DisposeAsync()
    {
        Browser?.Quit();
        await _host.DisposeAsync();
        _ports.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Console messages logged since the last call, with their levels.</summary>
    public IReadOnlyList<LogEntry> TakeConsoleLog() => Browser.Manage().Logs.GetLog(LogType.Browser);

    /// <summary>Writes a screenshot of the page as <c>NAME.png</c> in <see cref="Artifacts"/>; returns its path.</summary>
    public string Screenshot(string name)
    {
        string path = Path.Combine(Artifacts, name + ".png");
        Browser.GetScreenshot().SaveAsFile(path);
        return path;
    }
}
