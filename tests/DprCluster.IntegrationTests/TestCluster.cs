using System.Text.Json.Nodes;
using DprCluster.Grains.Contracts;
using DprCluster.Grains.Placement;
using DprCluster.Silo.Client;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Transport;

namespace DprCluster.IntegrationTests;

/// <summary>
/// A real cluster of child processes on loopback: 1 gateway, 3 shard silos holding 6 shards with replication 2, and 1
/// encoder silo running the tiny ONNX test model. Every silo has its own data directory under a temporary root.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public const int ShardCount = 6;
    public const int ShardSiloCount = 3;
    public const int Replication = 2;
    public const int Dimension = 32;
    public const string ApiKey = "integration-test-key";
    public const int MaxBodyBytes = 256 * 1024;
    public const int MaxBatch = 200;
    public const int MaxK = 100;

    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(90);
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<SiloConnection> _connections = [];

    private TestCluster(string root, SiloProcess gateway, SiloProcess encoder, SiloProcess[] shards, Uri[] shardInternalUrls)
    {
        Root = root;
        Gateway = gateway;
        Encoder = encoder;
        ShardSilos = shards;
        ShardInternalUrls = shardInternalUrls;
        Client = new ClusterClient(gateway.ApiUrl, ApiKey, TimeSpan.FromSeconds(60));
    }

    public string Root { get; }

    public SiloProcess Gateway { get; }

    public SiloProcess Encoder { get; }

    public IReadOnlyList<SiloProcess> ShardSilos { get; }

    public IReadOnlyList<Uri> ShardInternalUrls { get; }

    public ShardPlacement Placement { get; } = new(ShardCount, ShardSiloCount, Replication);

    /// <summary>A client of the gateway that sends the API key.</summary>
    public ClusterClient Client { get; }

    public static async Task<TestCluster> StartAsync()
    {
        string root = Path.Combine(Path.GetTempPath(), "dprcluster-it-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        int[] ports = FreePorts.Take(2 * (ShardSiloCount + 2));
        Uri Url(int i) => new($"http://127.0.0.1:{ports[i]}");
        Uri gatewayApi = Url(0);
        Uri gatewayInternal = Url(1);
        Uri encoderApi = Url(2);
        Uri encoderInternal = Url(3);
        var shardApi = new Uri[ShardSiloCount];
        var shardInternal = new Uri[ShardSiloCount];
        for (int i = 0; i < ShardSiloCount; i++)
        {
            shardApi[i] = Url(4 + 2 * i);
            shardInternal[i] = Url(5 + 2 * i);
        }
        var cluster = new JsonObject
        {
            ["ShardCount"] = ShardCount,
            ["ReplicationFactor"] = Replication,
            ["ShardSilos"] = new JsonArray([.. shardInternal.Select(u => JsonValue.Create(u.ToString()))]),
            ["EncoderSilos"] = new JsonArray(JsonValue.Create(encoderInternal.ToString())),
            ["Gateways"] = new JsonArray(JsonValue.Create(gatewayApi.ToString())),
        };

        SiloProcess Silo(string name, string roles, int? index, Uri api, Uri transport)
        {
            var silo = new JsonObject
            {
                ["Roles"] = roles,
                ["Name"] = name,
                ["ApiUrl"] = api.ToString(),
                ["InternalUrl"] = transport.ToString(),
                ["DataDirectory"] = Path.Combine(root, name),
            };
            if (index is int i)
            {
                silo["Index"] = i;
            }
            var config = new JsonObject
            {
                ["Silo"] = silo,
                ["Cluster"] = cluster.DeepClone(),
                ["Encoder"] = new JsonObject
                {
                    ["Kind"] = "onnx",
                    ["QuestionModel"] = RepositoryPaths.TinyModel,
                    ["IntraOpThreads"] = 1,
                },
                ["Shard"] = new JsonObject { ["SnapshotEveryRecords"] = 100 },
                ["Api"] = new JsonObject { ["ApiKey"] = ApiKey, ["MaxBodyBytes"] = MaxBodyBytes, ["MaxBatch"] = MaxBatch, ["MaxK"] = MaxK },
                ["Coordinator"] = new JsonObject { ["ShardTimeout"] = "00:00:10" },
                ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
            };
            string file = Path.Combine(root, name + ".json");
            File.WriteAllText(file, config.ToJsonString());
            return new SiloProcess(name, file, api);
        }

        var shards = new SiloProcess[ShardSiloCount];
        for (int i = 0; i < ShardSiloCount; i++)
        {
            shards[i] = Silo($"shard-{i}", "shard", i, shardApi[i], shardInternal[i]);
        }
        SiloProcess encoder = Silo("encoder", "encoder", null, encoderApi, encoderInternal);
        SiloProcess gateway = Silo("gateway", "gateway", null, gatewayApi, gatewayInternal);
        var testCluster = new TestCluster(root, gateway, encoder, shards, shardInternal);
        try
        {
            foreach (SiloProcess silo in testCluster.AllSilos())
            {
                silo.Start();
            }
            foreach (SiloProcess silo in testCluster.AllSilos())
            {
                await silo.WaitReadyAsync(testCluster._probe, ReadyDeadline);
            }
            return testCluster;
        }
        catch
        {
            await testCluster.DisposeAsync();
            throw;
        }
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
        foreach (SiloProcess silo in AllSilos())
        {
            if (!silo.Running)
            {
                await RestartAsync(silo);
            }
        }
    }

    /// <summary>A transport reference to the replica of <paramref name="shard"/> on shard silo <paramref name="silo"/>.</summary>
    public IShardGrain Replica(int silo, int shard)
    {
        var connection = new SiloConnection($"shard-{silo}", ShardInternalUrls[silo], new TransportOptions());
        _connections.Add(connection);
        return new RemoteShardGrain(connection, shard);
    }

    /// <summary>Whether <c>/readyz</c> of <paramref name="silo"/> says every shard it owns serves.</summary>
    public async Task<bool> IsReadyAsync(SiloProcess silo)
    {
        using HttpResponseMessage response = await _probe.GetAsync(new Uri(silo.ApiUrl, "/readyz"));
        return response.IsSuccessStatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (SiloConnection connection in _connections)
        {
            connection.Dispose();
        }
        foreach (SiloProcess silo in AllSilos())
        {
            silo.Dispose();
        }
        _probe.Dispose();
        await Task.Yield();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    private IEnumerable<SiloProcess> AllSilos()
    {
        foreach (SiloProcess shard in ShardSilos)
        {
            yield return shard;
        }
        yield return Encoder;
        yield return Gateway;
    }
}
