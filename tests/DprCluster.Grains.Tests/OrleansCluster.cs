using System.Globalization;
using DprCluster.Abstractions;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Grains.Shard;
using DprCluster.Silo.Configuration;
using DprCluster.Testing;
using DprCluster.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization.Configuration;
using Orleans.TestingHost;

namespace DprCluster.Grains.Tests;

/// <summary>
/// An in-process Orleans cluster of N silos, each composed by <c>AddDprCluster</c> with every role and shard silo
/// ordinal i (named <c>dpr-i</c>), serving the deterministic <see cref="HashingEncoder"/> unless told otherwise. Configuration analysis is on,
/// so a message type Orleans cannot serialize fails the start.
/// </summary>
internal sealed class OrleansCluster : IAsyncDisposable
{
    private readonly TestDirectory _data = new();
    private readonly Dictionary<string, int> _ordinals = [];
    private readonly List<InProcessSiloHandle> _restarted = [];
    private InProcessTestCluster _cluster = null!;

    private readonly Func<IEncoder> _encoder;

    private OrleansCluster(int silos, int shards, int replicas, IReadOnlyDictionary<string, string?>? settings, Func<IEncoder>? encoder)
    {
        _encoder = encoder ?? (() => new HashingEncoder());
        SiloCount = silos;
        ShardCount = shards;
        Replicas = replicas;
        Settings = settings ?? new Dictionary<string, string?>();
    }

    public int SiloCount { get; }

    public int ShardCount { get; }

    public int Replicas { get; }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public InProcessTestCluster Cluster => _cluster;

    public IGrainFactory Grains => _cluster.Client;

    /// <summary>The coordinator, called from silo 0 like the REST API there would.</summary>
    public ICoordinatorGrain Coordinator =>
        _cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<ICoordinatorGrain>(0);

    /// <summary>The coordinator as the REST API of the silo with shard ordinal <paramref name="ordinal"/> calls it.</summary>
    public ICoordinatorGrain CoordinatorOn(int ordinal) =>
        Silo(ordinal).ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<ICoordinatorGrain>(0);

    public static string SiloName(int ordinal) => $"dpr-{ordinal.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<OrleansCluster> StartAsync(int silos, int shards, int replicas,
        IReadOnlyDictionary<string, string?>? settings = null, Func<IEncoder>? encoder = null)
    {
        var cluster = new OrleansCluster(silos, shards, replicas, settings, encoder);
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.AssumeHomogenousSilosForTesting = false;
        builder.ConfigureSilo((options, silo) => cluster.Configure(options.SiloName, silo));
        cluster._cluster = builder.Build();
        try
        {
            await cluster._cluster.DeployAsync();
            await cluster.WaitUntilServingAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Waits until every running silo's replicas recovered and checked their peers for records they missed.</summary>
    public Task WaitUntilServingAsync() => Poll.UntilAsync("every shard replica serving", TimeSpan.FromSeconds(60), () =>
    {
        foreach (InProcessSiloHandle handle in Running())
        {
            if (handle.ServiceProvider.GetService<ShardStore>() is { AllServing: false })
            {
                return Task.FromResult(false);
            }
        }
        return Task.FromResult(true);
    });

    /// <summary>Starts the stopped silo <paramref name="stopped"/> again under its test name, so it keeps its ordinal and data.</summary>
    public async Task RestartAsync(InProcessSiloHandle stopped)
    {
        int instance = int.Parse(stopped.Name[(stopped.Name.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture);
        // A silo started this way is not in the cluster's list of silos: it is tracked here, and stopped on dispose.
        _restarted.Add(await _cluster.StartSiloAsync(instance, _cluster.Options));
    }

    private IEnumerable<InProcessSiloHandle> Running()
    {
        foreach (InProcessSiloHandle handle in _cluster.Silos)
        {
            if (handle.IsActive)
            {
                yield return handle;
            }
        }
        foreach (InProcessSiloHandle handle in _restarted)
        {
            if (handle.IsActive)
            {
                yield return handle;
            }
        }
    }

    /// <summary>The silo whose shard ordinal is <paramref name="ordinal"/>.</summary>
    public InProcessSiloHandle Silo(int ordinal)
    {
        foreach (InProcessSiloHandle handle in Running())
        {
            if (handle.ServiceProvider.GetRequiredService<SiloPlan>().ShardOrdinal == ordinal)
            {
                return handle;
            }
        }
        throw new InvalidOperationException($"No running silo has ordinal {ordinal}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            foreach (InProcessSiloHandle restarted in _restarted)
            {
                await restarted.StopSiloAsync(stopGracefully: false);
            }
            await _cluster.DisposeAsync();
        }
        _data.Dispose();
    }

    private void Configure(string testSiloName, ISiloBuilder silo)
    {
        int ordinal;
        lock (_ordinals)
        {
            // A restarted silo keeps its test name, so it comes back with its ordinal and its data directory.
            if (!_ordinals.TryGetValue(testSiloName, out ordinal))
            {
                ordinal = _ordinals.Count;
                _ordinals[testSiloName] = ordinal;
            }
        }
        var values = new Dictionary<string, string?>
        {
            ["Silo:Roles"] = "all",
            ["Silo:Index"] = ordinal.ToString(CultureInfo.InvariantCulture),
            ["Silo:DataDirectory"] = Path.Combine(_data.Path, SiloName(ordinal)),
            ["Cluster:ShardCount"] = ShardCount.ToString(CultureInfo.InvariantCulture),
            ["Cluster:ReplicationFactor"] = Replicas.ToString(CultureInfo.InvariantCulture),
            ["Cluster:Membership:Provider"] = "redis",
            ["Cluster:Membership:ConnectionString"] = "unused: the test cluster brings its own membership",
            ["Encoder:Dimension"] = "32",
            ["Shard:EfSearch"] = "500",
        };
        for (int i = 0; i < SiloCount; i++)
        {
            values[$"Cluster:ShardSilos:{i}"] = SiloName(i);
        }
        foreach ((string key, string? value) in Settings)
        {
            values[key] = value;
        }
        SiloConfiguration configuration = SiloConfiguration.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        SiloPlan plan = SiloPlan.Resolve(configuration.Silo, configuration.Cluster);
        silo.AddDprCluster(configuration, plan);
        // The deterministic test encoder replaces the configured one (the last registration wins).
        silo.Services.AddSingleton(_ => new EncoderService([_encoder()], new EncoderServiceOptions { MaxDelay = TimeSpan.Zero }));
        silo.Services.Configure<TypeManifestOptions>(options => options.EnableConfigurationAnalysis = true);
    }
}
