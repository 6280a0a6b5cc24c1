using System.Globalization;
using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using DprCluster.Silo.Client;
using DprCluster.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace DprCluster.IntegrationTests;

/// <summary>
/// A real cluster of child processes on loopback joined through a test-owned Redis: 1 gateway, 3 shard silos holding 6
/// shards with replication 2, and 1 encoder silo running the tiny ONNX test model. Tests reach the REST API with
/// <see cref="Client"/> and single replicas through an Orleans client connected to the gateway silo.
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
    public const int MaxResponseBytes = 128 * 1024;

    private readonly SiloCluster _silos;
    private IHost? _orleansClient;

    private TestCluster(SiloCluster silos)
    {
        _silos = silos;
        Client = new ClusterClient(silos.Gateway.ApiUrl, ApiKey, TimeSpan.FromSeconds(60));
    }

    public SiloProcess Gateway => _silos.Gateway;

    public SiloProcess Encoder => _silos.Encoder;

    public IReadOnlyList<SiloProcess> ShardSilos => _silos.ShardSilos;

    public ShardPlacement Placement { get; } = new(ShardCount, ShardSiloCount, Replication);

    /// <summary>A client of the gateway that sends the API key.</summary>
    public ClusterClient Client { get; }

    /// <summary>Starts the cluster; <paramref name="overrides"/> (environment variables) replace or add settings.</summary>
    public static async Task<TestCluster> StartAsync(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["DPRCLUSTER_Encoder__Kind"] = "onnx",
            ["DPRCLUSTER_Encoder__QuestionModel"] = RepositoryPaths.TinyModel,
            ["DPRCLUSTER_Encoder__IntraOpThreads"] = "1",
            ["DPRCLUSTER_Shard__SnapshotEveryRecords"] = "100",
            ["DPRCLUSTER_Api__ApiKey"] = ApiKey,
            ["DPRCLUSTER_Api__MaxBodyBytes"] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture),
            ["DPRCLUSTER_Api__MaxBatch"] = MaxBatch.ToString(CultureInfo.InvariantCulture),
            ["DPRCLUSTER_Api__MaxK"] = MaxK.ToString(CultureInfo.InvariantCulture),
            ["DPRCLUSTER_Api__MaxResponseBytes"] = MaxResponseBytes.ToString(CultureInfo.InvariantCulture),
            ["DPRCLUSTER_Coordinator__ShardTimeout"] = "00:00:10",
            ["DPRCLUSTER_Telemetry__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach ((string name, string value) in overrides ?? new Dictionary<string, string>())
        {
            settings[name] = value;
        }
        return new TestCluster(await SiloCluster.StartAsync(ShardSiloCount, ShardCount, Replication, settings, gatewayClientPort: true));
    }

    /// <summary>Restarts a killed silo on its old configuration and data, and waits until it has recovered.</summary>
    public Task RestartAsync(SiloProcess silo) => _silos.RestartAsync(silo);

    /// <summary>Restarts every silo that is not running (tests that kill silos call this when they end).</summary>
    public Task HealAsync() => _silos.HealAsync();

    /// <summary>Whether <c>/readyz</c> of <paramref name="silo"/> says every shard it owns serves.</summary>
    public Task<bool> IsReadyAsync(SiloProcess silo) => _silos.IsReadyAsync(silo);

    /// <summary>The grain of the replica of <paramref name="shard"/> held by shard silo <paramref name="silo"/>.</summary>
    public async Task<IShardReplicaGrain> ReplicaAsync(int silo, int shard)
    {
        int replica = Placement.SilosOf(shard).ToList().IndexOf(silo);
        if (replica < 0)
        {
            throw new ArgumentException($"shard {shard} has no replica on shard silo {silo}");
        }
        IClusterClient client = await OrleansClientAsync();
        return client.GetGrain<IShardReplicaGrain>(new ShardReplicaKey(shard, replica).ToString());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_orleansClient is not null)
        {
            await _orleansClient.StopAsync();
            _orleansClient.Dispose();
        }
        await _silos.DisposeAsync();
    }

    /// <summary>An Orleans client through the gateway silo's client gateway, found in the same Redis membership table.</summary>
    private async Task<IClusterClient> OrleansClientAsync()
    {
        if (_orleansClient is null)
        {
            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleansClient(client => client
                .UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(_silos.Redis.ConnectionString))
                .Configure<Orleans.Configuration.ClusterOptions>(options =>
                {
                    options.ClusterId = _silos.ClusterId;
                    options.ServiceId = "dprcluster";
                }));
            IHost host = builder.Build();
            await host.StartAsync();
            _orleansClient = host;
        }
        return _orleansClient.Services.GetRequiredService<IClusterClient>();
    }
}
