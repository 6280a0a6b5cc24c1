using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DprCluster.Abstractions;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;

namespace DprCluster.Cli.Cluster;

/// <summary>
/// A whole cluster in this process (the demo, and the in-process side of <c>bench search</c>): one Orleans silo with
/// every role on localhost clustering, S shards over one data directory, the given encoder, composed by
/// <see cref="DprClusterComposition.AddDprCluster(Microsoft.AspNetCore.Builder.WebApplicationBuilder, SiloConfiguration)"/> like any silo. Its REST API listens on a free loopback port.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromMinutes(10);
    private readonly SiloHost _host;

    private InProcessCluster(SiloHost host) => _host = host;

    /// <summary>The coordinator.</summary>
    public ICoordinatorGrain Coordinator => _host.Coordinator;

    /// <summary>Where the silo serves the REST API.</summary>
    public Uri ApiUrl => _host.Plan.ApiUrl;

    /// <summary>
    /// Starts the silo over <paramref name="dataDirectory"/> with <paramref name="shardCount"/> shards and
    /// <paramref name="encoder"/> (<c>Encoder:Model</c>), and waits until
    /// every shard recovered (from its snapshot and log). Throws <see cref="InvalidDataException"/> when one fails.
    /// </summary>
    /// <param name="dataDirectory">Where the shards keep their logs and snapshots.</param>
    /// <param name="shardCount">Shards, all in this silo.</param>
    /// <param name="encoder"><c>Encoder:Model</c>.</param>
    /// <param name="cancellationToken">Stops the wait for recovery.</param>
    /// <param name="overrides">Further configuration keys (roles, shard options), applied last.</param>
    public static async Task<InProcessCluster> OpenAsync(string dataDirectory, int shardCount, string encoder,
        CancellationToken cancellationToken = default, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Silo:Roles"] = "all",
            ["Silo:Name"] = "in-process",
            ["Silo:DataDirectory"] = Path.GetFullPath(dataDirectory),
            ["Silo:ApiUrl"] = $"http://127.0.0.1:{FreeLoopbackPort()}",
            ["Silo:SiloPort"] = FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
            ["Cluster:ShardCount"] = shardCount.ToString(CultureInfo.InvariantCulture),
            ["Cluster:Membership:Provider"] = "localhost",
            ["Encoder:Model"] = encoder,
            ["Telemetry:Enabled"] = "false",
        };
        foreach ((string key, string? value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        SiloHost host = await SiloHost.StartAsync(SiloConfiguration.Load(null, settings), cancellationToken).ConfigureAwait(false);
        try
        {
            await host.Shards!.Recovery.WaitAsync(RecoveryDeadline, cancellationToken).ConfigureAwait(false);
            foreach (Grains.Shard.ShardReplica shard in host.Shards.Replicas)
            {
                if (shard.State != ShardState.Serving)
                {
                    throw new InvalidDataException($"shard {shard.ShardId} failed recovery: {shard.Error}");
                }
            }
            return new InProcessCluster(host);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Passages held by all shards.</summary>
    public async Task<int> CountPassagesAsync()
    {
        ClusterStatus status = await Coordinator.GetClusterAsync(CancellationToken.None).ConfigureAwait(false);
        int count = 0;
        foreach (ShardStatus shard in status.Shards)
        {
            count += shard.Replicas[0].Stats?.Passages ?? 0;
        }
        return count;
    }

    /// <summary>Leaves the cluster, finishes queued writes, closes the logs and the encoder.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();

    // A port the OS just handed out; another process could take it before the silo binds, which a CLI run tolerates.
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
