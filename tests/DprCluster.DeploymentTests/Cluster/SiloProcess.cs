using System.Globalization;

namespace DprCluster.DeploymentTests.Cluster;

/// <summary>One `dprcluster serve` process on loopback ports, configured through DPRCLUSTER_* variables.</summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly ChildProcess _process;

    public SiloProcess(string name, string role, int apiPort, int internalPort, string dataDirectory,
        IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Role = role;
        ApiUrl = new Uri($"http://127.0.0.1:{apiPort.ToString(CultureInfo.InvariantCulture)}/");
        InternalUrl = new Uri($"http://127.0.0.1:{internalPort.ToString(CultureInfo.InvariantCulture)}/");
        var variables = new Dictionary<string, string>(environment)
        {
            ["DPRCLUSTER_Silo__Roles"] = role,
            ["DPRCLUSTER_Silo__Name"] = name,
            ["DPRCLUSTER_Silo__ApiUrl"] = ApiUrl.ToString().TrimEnd('/'),
            ["DPRCLUSTER_Silo__InternalUrl"] = InternalUrl.ToString().TrimEnd('/'),
            ["DPRCLUSTER_Silo__DataDirectory"] = dataDirectory,
        };
        _process = new ChildProcess(name, RepositoryLayout.DotnetHost, [RepositoryLayout.CliAssembly, "serve"], variables);
    }

    public string Name { get; }

    public string Role { get; }

    public Uri ApiUrl { get; }

    public Uri InternalUrl { get; }

    /// <summary>host:port, as Prometheus labels the target.</summary>
    public string Instance => $"{ApiUrl.Host}:{ApiUrl.Port.ToString(CultureInfo.InvariantCulture)}";

    public string Output => _process.Output;

    /// <summary>Waits until GET /readyz answers 200 (every owned shard recovered).</summary>
    public Task WaitReadyAsync(HttpClient http, TimeSpan deadline) =>
        Poll.UntilAsync($"silo {Name} to be ready", deadline, async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo {Name} exited:\n{_process.Output}");
            }
            using HttpResponseMessage response = await http.GetAsync(new Uri(ApiUrl, "readyz"));
            return response.IsSuccessStatusCode;
        });

    /// <summary>Whether a test stopped this silo on purpose.</summary>
    public bool Stopped { get; private set; }

    public void Kill()
    {
        Stopped = true;
        _process.Kill();
    }

    public void Dispose() => _process.Dispose();
}
