using System.Diagnostics;
using System.Text;

namespace DprCluster.IntegrationTests;

/// <summary>
/// One silo as a child process: <c>dotnet dprcluster.dll serve --config FILE</c>. It can be killed with SIGKILL (no
/// shutdown code runs, as in a crash) and restarted with the same configuration and data directory.
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private const int LogLimit = 64 * 1024;
    private readonly string _configFile;
    private readonly StringBuilder _log = new();
    private Process? _process;

    public SiloProcess(string name, string configFile, Uri apiUrl)
    {
        Name = name;
        _configFile = configFile;
        ApiUrl = apiUrl;
    }

    public string Name { get; }

    public Uri ApiUrl { get; }

    public bool Running => _process is { HasExited: false };

    /// <summary>The silo's recent output, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepositoryPaths.CliAssembly);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(_configFile);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_TieredPGO"] = "0";
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL: the process dies at once, mid-write if it was writing.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Waits until <c>/readyz</c> answers 200, failing early with the log when the process exits.</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan deadline)
    {
        await Poll.UntilAsync(async () =>
        {
            if (_process is { HasExited: true } exited)
            {
                throw new InvalidOperationException($"Silo {Name} exited with code {exited.ExitCode}:\n{Log}");
            }
            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(ApiUrl, "/readyz"));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, deadline, $"silo {Name} to be ready at {ApiUrl}readyz; log:\n{Log}");
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length > LogLimit)
            {
                _log.Remove(0, _log.Length - LogLimit / 2);
            }
            _log.AppendLine(line);
        }
    }
}
