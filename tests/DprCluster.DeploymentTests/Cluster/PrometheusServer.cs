using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DprCluster.Testing;

namespace DprCluster.DeploymentTests.Cluster;

/// <summary>
/// The real Prometheus server (Debian's `prometheus`), run from its binary with its own configuration file and a
/// temporary TSDB on a loopback port, and its HTTP query API.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    private readonly ChildProcess _process;
    private readonly LoopbackPorts _port;
    private readonly HttpClient _http;
    private readonly string _directory;

    private PrometheusServer(ChildProcess process, LoopbackPorts port, Uri address, string directory)
    {
        _process = process;
        _port = port;
        _directory = directory;
        Address = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Address { get; }

    public string Output => _process.Output;

    /// <summary>Starts Prometheus with <paramref name="configuration"/> (YAML) and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string configuration)
    {
        string binary = FindBinary();
        string directory = Directory.CreateTempSubdirectory("dprcluster-prometheus-").FullName;
        string configFile = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, configuration);
        LoopbackPorts lease = LoopbackPorts.Lease(1);
        int port = lease.Ports[0];
        var process = new ChildProcess("prometheus", binary,
        [
            "--config.file=" + configFile,
            "--storage.tsdb.path=" + Path.Combine(directory, "data"),
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            "--log.level=warn",
        ], workingDirectory: directory);
        var server = new PrometheusServer(process, lease, new Uri($"http://127.0.0.1:{port}/"), directory);
        try
        {
            await Poll.UntilAsync("Prometheus to be ready", TimeSpan.FromSeconds(30), async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("Prometheus exited:\n" + process.Output);
                }
                using HttpResponseMessage response = await server._http.GetAsync("-/ready");
                return response.IsSuccessStatusCode;
            });
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>The `prometheus` binary, or an error saying how CI installs it.</summary>
    public static string FindBinary() => FindOnPath("prometheus");

    /// <summary>Finds <paramref name="tool"/> on PATH; the message names the Debian package .ci/run installs.</summary>
    public static string FindOnPath(string tool)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"'{tool}' is not on PATH; .ci/run installs it (apt-get install prometheus docker-compose).");
    }

    /// <summary>An instant query: the API's status, error and result vector (empty when the query failed).</summary>
    public async Task<QueryResult> QueryAsync(string promql)
    {
        using HttpResponseMessage response = await _http.PostAsync("api/v1/query",
            new FormUrlEncodedContent([new("query", promql)]));
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement root = body.RootElement;
        string status = root.GetProperty("status").GetString()!;
        if (status != "success")
        {
            return new QueryResult(false, root.TryGetProperty("error", out JsonElement error) ? error.GetString() : "unknown error", []);
        }
        JsonElement data = root.GetProperty("data");
        var samples = new List<QuerySample>();
        if (data.GetProperty("resultType").GetString() == "vector")
        {
            foreach (JsonElement item in data.GetProperty("result").EnumerateArray())
            {
                var labels = new Dictionary<string, string>();
                foreach (JsonProperty label in item.GetProperty("metric").EnumerateObject())
                {
                    labels[label.Name] = label.Value.GetString()!;
                }
                string value = item.GetProperty("value")[1].GetString()!;
                samples.Add(new QuerySample(labels, ParseValue(value)));
            }
        }
        else if (data.GetProperty("resultType").GetString() == "scalar")
        {
            samples.Add(new QuerySample(new Dictionary<string, string>(), ParseValue(data.GetProperty("result")[1].GetString()!)));
        }
        return new QueryResult(true, null, samples);
    }

    /// <summary>Every rule Prometheus loaded, with the query it parsed and the health of its last evaluation.</summary>
    public async Task<List<LoadedRule>> RulesAsync()
    {
        using JsonDocument body = JsonDocument.Parse(await _http.GetStringAsync("api/v1/rules"));
        var rules = new List<LoadedRule>();
        foreach (JsonElement group in body.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray())
        {
            foreach (JsonElement rule in group.GetProperty("rules").EnumerateArray())
            {
                rules.Add(new LoadedRule(rule.GetProperty("name").GetString()!, rule.GetProperty("query").GetString()!,
                    rule.GetProperty("health").GetString()!, rule.TryGetProperty("lastError", out JsonElement error) ? error.GetString() : null));
            }
        }
        return rules;
    }

    /// <summary>Scrape targets with their health and last error.</summary>
    public async Task<List<(string Instance, string Health, string LastError, DateTime LastScrape)>> TargetsAsync()
    {
        using JsonDocument body = JsonDocument.Parse(await _http.GetStringAsync("api/v1/targets"));
        var targets = new List<(string, string, string, DateTime)>();
        foreach (JsonElement target in body.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray())
        {
            targets.Add((target.GetProperty("labels").GetProperty("instance").GetString()!, target.GetProperty("health").GetString()!,
                target.GetProperty("lastError").GetString()!,
                target.GetProperty("lastScrape").GetDateTime().ToUniversalTime()));
        }
        return targets;
    }

    public void Dispose()
    {
        _process.Dispose();
        _port.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the TSDB may still be closing.
        }
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };
}

internal sealed record QuerySample(IReadOnlyDictionary<string, string> Labels, double Value);

internal sealed record QueryResult(bool Parsed, string? Error, IReadOnlyList<QuerySample> Samples)
{
    /// <summary>At least one sample with a number (not NaN): what a panel needs to draw something.</summary>
    public bool HasData => Samples.Any(sample => !double.IsNaN(sample.Value));
}

internal sealed record LoadedRule(string Name, string Query, string Health, string? LastError);
