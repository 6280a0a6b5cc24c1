using System.Net.Sockets;

namespace DprCluster.Testing;

/// <summary>
/// A real Redis membership store for cluster tests: Debian's <c>redis-server</c> on a leased loopback port, persisting
/// with AOF into a temporary directory (a production store must persist: Orleans membership freezes if its key is lost).
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly LoopbackPorts _port;
    private readonly ChildProcess _process;
    private readonly string _directory;

    private RedisServer(LoopbackPorts port, ChildProcess process, string directory)
    {
        _port = port;
        _process = process;
        _directory = directory;
    }

    /// <summary>The StackExchange.Redis configuration string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{_port.Ports[0]}";

    /// <summary>Starts redis-server and waits until it accepts connections.</summary>
    public static async Task<RedisServer> StartAsync(TimeSpan deadline)
    {
        string executable = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server"
            : throw new FileNotFoundException("redis-server is not installed (Debian package redis-server; .ci/run installs it).");
        LoopbackPorts port = LoopbackPorts.Lease(1);
        string directory = Path.Combine(Path.GetTempPath(), "dprcluster-redis-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var process = new ChildProcess("redis", executable,
            ["--port", port.Ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
             "--dir", directory, "--appendonly", "yes", "--save", "", "--protected-mode", "no"]);
        var server = new RedisServer(port, process, directory);
        try
        {
            await Poll.UntilAsync("redis-server to accept connections", deadline, async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}:\n{process.Output}");
                }
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port.Ports[0]);
                return true;
            });
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server and removes its files.</summary>
    public void Dispose()
    {
        _process.Dispose();
        _port.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }
}
