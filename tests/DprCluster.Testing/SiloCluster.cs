using System.Globalization;

namespace DprCluster.Testing;

/// <summary>
/// A multi-silo cluster of real <c>dprcluster serve</c> processes on loopback, as compose and the chart run it: N shard
/// silos (<c>shard-0</c> … <c>shard-(N−1)</c>), an encoder and a gateway, joined through a test-owned Redis membership
/// store. Every silo has its own data directory under <see cref="Root"/> and leased ports.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(120);
    private readonly LoopbackPorts _ports;
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private IReadOnlyDictionary<string, string> _shared = new Dictionary<string, string>();

    private SiloCluster(string root, string clusterId, RedisServer redis, LoopbackPorts ports, SiloProcess[] shards, SiloProcess encoder,
        SiloProcess gateway, int? gatewayClientPort)
    {
        ClusterId = clusterId;
        Root = root;
        Redis = redis;
        _ports = ports;
        ShardSilos = shards;
        Encoder = encoder;
        Gateway = gateway;
        GatewayClientPort = gatewayClientPort;
    }

    /// <summary>Temporary root of the silos' data directories.</summary>
    public string Root { get; }

    /// <summary>The Orleans cluster id the silos share.</summary>
    public string ClusterId { get; }

    /// <summary>The membership store.</summary>
    public RedisServer Redis { get; }

    /// <summary>Shard silos by ordinal.</summary>
    public IReadOnlyList<SiloProcess> ShardSilos { get; }

    /// <summary>The encoder silo.</summary>
    public SiloProcess Encoder { get; }

    /// <summary>The gateway silo (REST API).</summary>
    public SiloProcess Gateway { get; }

    /// <summary>The gateway silo's Orleans client gateway port, when asked for.</summary>
    public int? GatewayClientPort { get; }

    /// <summary>Every silo: shard silos, then encoder, then gateway.</summary>
    public IEnumerable<SiloProcess> All => [.. ShardSilos, Encoder, Gateway];

    /// <summary>Name of shard silo <paramref name="ordinal"/>.</summary>
    public static string ShardSiloName(int ordinal) => $"shard-{ordinal.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Starts Redis and the silos with <paramref name="environment"/> (<c>DPRCLUSTER_*</c> settings shared by every
    /// silo) and waits until every silo is ready.
    /// </summary>
    /// <param name="shardSilos">N.</param>
    /// <param name="shardCount">S.</param>
    /// <param name="replication">R.</param>
    /// <param name="environment">Settings every silo gets (encoder, limits, telemetry…).</param>
    /// <param name="gatewayClientPort">Open an Orleans client gateway on the gateway silo.</param>
    public static async Task<SiloCluster> StartAsync(int shardSilos, int shardCount, int replication,
        IReadOnlyDictionary<string, string>? environment = null, bool gatewayClientPort = false)
    {
        string root = Directory.CreateTempSubdirectory("dprcluster-cluster-").FullName;
        RedisServer redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(30));
        // Two per silo, the client gateway's, and two spare for an outsider (see Outsider).
        LoopbackPorts ports = LoopbackPorts.Lease(2 * (shardSilos + 2) + 3);
        string clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        var shared = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["DPRCLUSTER_Cluster__ShardCount"] = shardCount.ToString(CultureInfo.InvariantCulture),
            ["DPRCLUSTER_Cluster__ReplicationFactor"] = replication.ToString(CultureInfo.InvariantCulture),
            ["DPRCLUSTER_Cluster__ClusterId"] = clusterId,
            ["DPRCLUSTER_Cluster__Membership__Provider"] = "redis",
            ["DPRCLUSTER_Cluster__Membership__ConnectionString"] = redis.ConnectionString,
            ["DPRCLUSTER_Silo__AdvertisedAddress"] = "127.0.0.1",
        };
        for (int i = 0; i < shardSilos; i++)
        {
            shared[$"DPRCLUSTER_Cluster__ShardSilos__{i.ToString(CultureInfo.InvariantCulture)}"] = ShardSiloName(i);
        }
        int next = 0;
        SiloProcess Silo(string name, string roles, int? clientPort = null) => Configure(shared, root, name, roles, ports.Ports[next++], ports.Ports[next++], clientPort);
        var shards = new SiloProcess[shardSilos];
        for (int i = 0; i < shardSilos; i++)
        {
            shards[i] = Silo(ShardSiloName(i), "shard");
        }
        SiloProcess encoder = Silo("encoder", "encoder");
        int? clientGateway = gatewayClientPort ? ports.Ports[^1] : null;
        SiloProcess gateway = Silo("gateway", "gateway", clientGateway);
        var cluster = new SiloCluster(root, clusterId, redis, ports, shards, encoder, gateway, clientGateway) { _shared = shared };
        try
        {
            foreach (SiloProcess process in cluster.All)
            {
                process.Start();
            }
            await Task.WhenAll(cluster.All.Select(process => process.WaitReadyAsync(cluster._probe, ReadyDeadline)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A silo process (not started) configured like the cluster's own on the two spare ports, with
    /// <paramref name="overrides"/> on top: e.g. a process that tries to join without what the members have.
    /// </summary>
    public SiloProcess Outsider(string name, string roles, IReadOnlyDictionary<string, string> overrides)
    {
        var settings = new Dictionary<string, string>(_shared);
        foreach ((string key, string value) in overrides)
        {
            settings[key] = value;
        }
        return Configure(settings, Root, name, roles, _ports.Ports[^3], _ports.Ports[^2], null);
    }

    private static SiloProcess Configure(IReadOnlyDictionary<string, string> shared, string root, string name, string roles, int api, int silo,
        int? clientPort)
    {
        var variables = new Dictionary<string, string>(shared)
        {
            ["DPRCLUSTER_Silo__Roles"] = roles,
            ["DPRCLUSTER_Silo__Name"] = name,
            ["DPRCLUSTER_Silo__ApiUrl"] = $"http://127.0.0.1:{api.ToString(CultureInfo.InvariantCulture)}",
            ["DPRCLUSTER_Silo__SiloPort"] = silo.ToString(CultureInfo.InvariantCulture),
            ["DPRCLUSTER_Silo__DataDirectory"] = Path.Combine(root, name),
        };
        if (clientPort is int port)
        {
            variables["DPRCLUSTER_Silo__GatewayPort"] = port.ToString(CultureInfo.InvariantCulture);
        }
        return new SiloProcess(name, new Uri($"http://127.0.0.1:{api.ToString(CultureInfo.InvariantCulture)}/"), environment: variables);
    }

    /// <summary>Restarts a killed silo on its old configuration and data, and waits until it has recovered.</summary>
    public async Task RestartAsync(SiloProcess silo)
    {
        silo.Start();
        await silo.WaitReadyAsync(_probe, ReadyDeadline);
    }

    /// <summary>Restarts every silo that is not running (tests that kill silos call this when they end).</summary>
    public async Task HealAsync()
    {
        foreach (SiloProcess silo in All)
        {
            if (!silo.Running)
            {
                await RestartAsync(silo);
            }
        }
    }

    /// <summary>Whether <c>/readyz</c> of <paramref name="silo"/> says every shard it owns serves.</summary>
    public async Task<bool> IsReadyAsync(SiloProcess silo)
    {
        using HttpResponseMessage response = await _probe.GetAsync(new Uri(silo.ApiUrl, "readyz"));
        return response.IsSuccessStatusCode;
    }

    /// <summary>Kills every silo and the store and removes the data.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (SiloProcess silo in All)
        {
            silo.Dispose();
        }
        Redis.Dispose();
        _ports.Dispose();
        _probe.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
        return ValueTask.CompletedTask;
    }
}
