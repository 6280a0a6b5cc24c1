namespace DprCluster.Testing;

/// <summary>
/// One silo as a child process: <c>dotnet dprcluster.dll serve</c>, configured by a JSON file and/or
/// <c>DPRCLUSTER_*</c> variables. It can be killed with SIGKILL (no shutdown code runs, as in a crash) and started
/// again on the same configuration and data directory.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly string? _configFile;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private ChildProcess? _process;

    /// <summary>Describes the silo; <see cref="Start"/> runs it.</summary>
    /// <param name="name">Name for messages (normally the silo name).</param>
    /// <param name="apiUrl">Its REST/health URL.</param>
    /// <param name="configFile">JSON configuration file, or null.</param>
    /// <param name="environment">Extra environment variables (e.g. <c>DPRCLUSTER_Silo__Roles</c>).</param>
    public SiloProcess(string name, Uri apiUrl, string? configFile = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        Name = name;
        ApiUrl = apiUrl;
        _configFile = configFile;
        _environment = environment ?? new Dictionary<string, string>();
    }

    /// <summary>Name for messages.</summary>
    public string Name { get; }

    /// <summary>Its REST/health URL.</summary>
    public Uri ApiUrl { get; }

    /// <summary>host:port, as Prometheus labels the target.</summary>
    public string Instance => $"{ApiUrl.Host}:{ApiUrl.Port}";

    /// <summary>Whether it runs.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>Whether a test killed it on purpose.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Its recent output, for failure messages.</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>Starts the process (again, after a kill).</summary>
    public void Start()
    {
        var arguments = new List<string> { RepositoryPaths.CliAssembly, "serve" };
        if (_configFile is not null)
        {
            arguments.Add("--config");
            arguments.Add(_configFile);
        }
        var environment = new Dictionary<string, string>(_environment)
        {
            // Workstation GC keeps several silos on a 2-core machine small; the tiered JIT starts them faster.
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_TieredPGO"] = "0",
        };
        _process?.Dispose();
        _process = new ChildProcess(Name, RepositoryPaths.DotnetHost, arguments, environment);
        Stopped = false;
    }

    /// <summary>SIGKILL.</summary>
    public void Kill()
    {
        Stopped = true;
        _process?.Kill();
    }

    /// <summary>
    /// Waits until <c>/readyz</c> answers 200 (every owned shard recovered). A probe that times out or is refused is
    /// "not ready yet"; an exited process fails at once with its output.
    /// </summary>
    public Task WaitReadyAsync(HttpClient http, TimeSpan deadline) =>
        Poll.UntilAsync($"silo {Name} to be ready at {ApiUrl}readyz", deadline, async () =>
        {
            if (_process is { HasExited: true } exited)
            {
                throw new InvalidOperationException($"silo {Name} exited with code {exited.ExitCode}:\n{exited.Output}");
            }
            using HttpResponseMessage response = await http.GetAsync(new Uri(ApiUrl, "readyz"));
            return response.IsSuccessStatusCode;
        });

    /// <summary>Kills the process if it runs.</summary>
    public void Dispose() => _process?.Dispose();
}
