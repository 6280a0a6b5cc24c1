using System.Globalization;
using System.Net.Sockets;

namespace DprCluster.Testing;

/// <summary>
/// A real PostgreSQL membership store for cluster tests: the installed <c>initdb</c> and <c>postgres</c> (Debian's
/// <c>postgresql</c> package), a fresh trust-authenticated database cluster in a temporary directory, served on a
/// leased loopback port. PostgreSQL refuses to run as root, so a root test process runs it as <c>nobody</c> through
/// <c>runuser</c>, with the directory handed to that user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The superuser initdb creates; trust authentication lets it in without a password.</summary>
    public const string Superuser = "postgres";

    private const string ServiceUser = "nobody";
    private const string ReadyLine = "database system is ready to accept connections";
    private static readonly string[] Tools = ["initdb", "postgres", "pg_ctl"];
    private static readonly TimeSpan ToolDeadline = TimeSpan.FromSeconds(120);
    private readonly string _binaries;
    private readonly string? _runUser;
    private readonly LoopbackPorts _port;
    private readonly string _directory;
    private ChildProcess? _server;

    private PostgresServer(string binaries, string? runUser, LoopbackPorts port, string directory)
    {
        _binaries = binaries;
        _runUser = runUser;
        _port = port;
        _directory = directory;
    }

    /// <summary>The port it listens on (127.0.0.1 only).</summary>
    public int Port => _port.Ports[0];

    /// <summary>The Npgsql connection string of the superuser to the <c>postgres</c> database.</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={Superuser};Database=postgres";

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Creates the database cluster, starts the server and waits until it accepts connections.</summary>
    /// <exception cref="FileNotFoundException">The server binaries (or, as root, <c>runuser</c>) are not installed.</exception>
    public static async Task<PostgresServer> StartAsync(TimeSpan deadline)
    {
        string binaries = FindBinaries();
        string? runUser = Environment.IsPrivilegedProcess ? FindRunUser() : null;
        string directory = Directory.CreateTempSubdirectory("dprcluster-postgres-").FullName;
        var server = new PostgresServer(binaries, runUser, LoopbackPorts.Lease(1), directory);
        try
        {
            string sockets = Path.Combine(directory, "sockets");
            Directory.CreateDirectory(sockets);
            if (runUser is not null)
            {
                // initdb creates the data directory inside, so the service user must own the whole tree.
                await RunToEndAsync(new ChildProcess("chown", "chown", ["-R", ServiceUser + ":", directory]));
            }
            // No fsync anywhere: the database lives only as long as the test, and a loaded disk must not stall heartbeats.
            await RunToEndAsync(server.Tool("initdb", "-D", server.DataDirectory, "-U", Superuser, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync"));
            server._server = server.Tool("postgres", "-D", server.DataDirectory,
                "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-k", sockets,
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off");
            ChildProcess process = server._server;
            await Poll.UntilAsync("postgres to accept connections", deadline, async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"postgres exited with code {process.ExitCode}:\n{process.Output}");
                }
                // It listens while still starting up (and refuses sessions then); --locale=C keeps the log line English.
                if (!process.Output.Contains(ReadyLine, StringComparison.Ordinal))
                {
                    return false;
                }
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", server.Port);
                return true;
            });
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server (a fast shutdown, so it releases its shared memory) and removes its files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            try
            {
                await RunToEndAsync(Tool("pg_ctl", "stop", "-D", DataDirectory, "-m", "fast", "-w"));
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                // The kill below still ends it; only the server's small System V segment may be left behind.
            }
        }
        _server?.Dispose();
        _port.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    /// <summary>
    /// Starts one of the server binaries, as the service user when the tests run as root. It runs in the server's own
    /// directory: the service user may not be able to enter the test's working directory, which the tools resolve.
    /// </summary>
    private ChildProcess Tool(string tool, params string[] arguments)
    {
        string executable = Path.Combine(_binaries, tool);
        return _runUser is null
            ? new ChildProcess(tool, executable, arguments, workingDirectory: _directory)
            : new ChildProcess(tool, _runUser, ["-u", ServiceUser, "--", executable, .. arguments], workingDirectory: _directory);
    }

    private static async Task RunToEndAsync(ChildProcess process)
    {
        using (process)
        {
            await Poll.UntilAsync($"{process.Name} to finish", ToolDeadline, () => Task.FromResult(process.HasExited));
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode}:\n{process.Output}");
            }
        }
    }

    /// <summary>The newest /usr/lib/postgresql/&lt;version&gt;/bin holding every tool, else the first PATH directory that does.</summary>
    private static string FindBinaries()
    {
        const string Versions = "/usr/lib/postgresql";
        IEnumerable<string> installed = Directory.Exists(Versions)
            ? Directory.GetDirectories(Versions)
                .OrderByDescending(version => int.TryParse(Path.GetFileName(version), CultureInfo.InvariantCulture, out int major) ? major : -1)
                .Select(version => Path.Combine(version, "bin"))
            : [];
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return installed.Concat(path).FirstOrDefault(directory => Tools.All(tool => File.Exists(Path.Combine(directory, tool))))
            ?? throw new FileNotFoundException(
                $"The PostgreSQL server binaries ({string.Join(", ", Tools)}) are in neither {Versions}/*/bin nor PATH " +
                "(Debian package postgresql; .ci/run installs it).");
    }

    private static string FindRunUser()
    {
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return ((string[])["/usr/sbin", "/sbin", .. path]).Select(directory => Path.Combine(directory, "runuser")).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"PostgreSQL refuses to run as root, and runuser (util-linux), which would run it as {ServiceUser}, is not installed.");
    }
}
