using System.Globalization;
using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using DprCluster.Silo.Client;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Security;
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
    private readonly string? _tlsDirectory;
    private IHost? _orleansClient;

    private TestCluster(SiloCluster silos, string? tlsDirectory)
    {
        _silos = silos;
        _tlsDirectory = tlsDirectory;
        Certificates = tlsDirectory is null ? null : ClusterCertificates.Load(TlsOptions(tlsDirectory));
        Client = new ClusterClient(silos.Gateway.ApiUrl, ApiKey, TimeSpan.FromSeconds(60));
    }

    public SiloProcess Gateway => _silos.Gateway;

    public SiloProcess Encoder => _silos.Encoder;

    public IReadOnlyList<SiloProcess> ShardSilos => _silos.ShardSilos;

    public ShardPlacement Placement { get; } = new(ShardCount, ShardSiloCount, Replication);

    /// <summary>The cluster certificate and CA when the silos run mutual TLS; null otherwise.</summary>
    public ClusterCertificates? Certificates { get; }

    /// <summary>A client of the gateway that sends the API key.</summary>
    public ClusterClient Client { get; }

    /// <summary>
    /// Starts the cluster; <paramref name="overrides"/> (environment variables) replace or add settings, and
    /// <paramref name="tls"/> gives it mutual TLS with certificates made for it.
    /// </summary>
    public static async Task<TestCluster> StartAsync(IReadOnlyDictionary<string, string>? overrides = null, bool tls = false)
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
        string? tlsDirectory = null;
        if (tls)
        {
            tlsDirectory = Path.Combine(Path.GetTempPath(), $"dprcluster-tls-{Guid.NewGuid():N}");
            ClusterCertificateAuthority.Write(tlsDirectory, days: 1);
            ClusterTlsOptions options = TlsOptions(tlsDirectory);
            settings["DPRCLUSTER_Cluster__Tls__Enabled"] = "true";
            settings["DPRCLUSTER_Cluster__Tls__CertificatePath"] = options.CertificatePath;
            settings["DPRCLUSTER_Cluster__Tls__KeyPath"] = options.KeyPath;
            settings["DPRCLUSTER_Cluster__Tls__CaPath"] = options.CaPath;
        }
        return new TestCluster(await SiloCluster.StartAsync(ShardSiloCount, ShardCount, Replication, settings, gatewayClientPort: true), tlsDirectory);
    }

    private static ClusterTlsOptions TlsOptions(string directory) => new()
    {
        CertificatePath = Path.Combine(directory, "tls.crt"),
        KeyPath = Path.Combine(directory, "tls.key"),
        CaPath = Path.Combine(directory, "ca.crt"),
    };

    /// <summary>Restarts a killed silo on its old configuration and data, and waits until it has recovered.</summary>
    public Task RestartAsync(SiloProcess silo) => _silos.RestartAsync(silo);

    /// <summary>A silo process (not started) configured like the members, with <paramref name="overrides"/> on top.</summary>
    public SiloProcess Outsider(string name, string roles, IReadOnlyDictionary<string, string> overrides) =>
        _silos.Outsider(name, roles, overrides);

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
        Certificates?.Dispose();
        if (_tlsDirectory is not null)
        {
            Directory.Delete(_tlsDirectory, recursive: true);
        }
    }

    /// <summary>An Orleans client through the gateway silo's client gateway, found in the same Redis membership table.</summary>
    private async Task<IClusterClient> OrleansClientAsync()
    {
        _orleansClient ??= await ConnectClientAsync(Certificates);
        return _orleansClient.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>
    /// Starts an Orleans client of this cluster (its Redis membership, its cluster id) that presents
    /// <paramref name="certificates"/> when given (and, unless <paramref name="retryConnecting"/>, gives up at the first
    /// refused connection); the caller stops and disposes the host.
    /// </summary>
    public async Task<IHost> ConnectClientAsync(ClusterCertificates? certificates, bool retryConnecting = true)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client
                .UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(_silos.Redis.ConnectionString))
                .Configure<Orleans.Configuration.ClusterOptions>(options =>
                {
                    options.ClusterId = _silos.ClusterId;
                    options.ServiceId = "dprcluster";
                });
            if (certificates is not null)
            {
                client.UseClusterTls(certificates);
            }
            if (!retryConnecting)
            {
                // Starting fails at the first refused connection instead of trying again.
                client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            }
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }
}
