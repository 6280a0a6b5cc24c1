using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace DprCluster.Silo.Tests;

/// <summary>
/// The same 4-shard cluster built twice in this process: "direct" is one silo with every role (grain calls are method
/// calls), "h2c" is a gateway+encoder silo and two shard silos with R = 2 talking over the HTTP/2 cleartext transport.
/// Both encode with the tiny ONNX test model.
/// </summary>
public sealed class InProcessClusters : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dprcluster-silo-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<SiloHost> _hosts = [];

    internal SiloHost Direct { get; private set; } = null!;

    internal SiloHost Gateway { get; private set; } = null!;

    internal SiloHost Host(string transport) => transport == "direct" ? Direct : Gateway;

    public async Task InitializeAsync()
    {
        Direct = await StartAsync("direct", new Dictionary<string, string?> { ["Silo:Roles"] = "all" });
        int[] ports = [TransportHarness.FreePort(), TransportHarness.FreePort()];
        var shardSilos = new Dictionary<string, string?>
        {
            ["Cluster:ReplicationFactor"] = "2",
            ["Cluster:ShardSilos:0"] = $"http://127.0.0.1:{ports[0]}",
            ["Cluster:ShardSilos:1"] = $"http://127.0.0.1:{ports[1]}",
        };
        for (int i = 0; i < 2; i++)
        {
            await StartAsync($"shard-{i}", new Dictionary<string, string?>(shardSilos)
            {
                ["Silo:Roles"] = "shard",
                ["Silo:Index"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Silo:InternalUrl"] = $"http://127.0.0.1:{ports[i]}",
            });
        }
        Gateway = await StartAsync("gateway", new Dictionary<string, string?>(shardSilos) { ["Silo:Roles"] = "gateway,encoder" });
        foreach (SiloHost host in _hosts)
        {
            if (host.Shards is { } shards)
            {
                await shards.Recovery;
            }
        }
    }

    public async Task DisposeAsync()
    {
        foreach (SiloHost host in _hosts)
        {
            await host.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }

    private async Task<SiloHost> StartAsync(string name, Dictionary<string, string?> settings)
    {
        settings["Silo:Name"] = name;
        settings["Silo:DataDirectory"] = Path.Combine(_root, name);
        settings.TryAdd("Silo:InternalUrl", $"http://127.0.0.1:{TransportHarness.FreePort()}");
        settings["Silo:ApiUrl"] = $"http://127.0.0.1:{TransportHarness.FreePort()}";
        settings["Cluster:ShardCount"] = "4";
        settings["Encoder:Kind"] = "onnx";
        settings["Encoder:QuestionModel"] = RepositoryPaths.TinyModel;
        settings["Encoder:IntraOpThreads"] = "1";
        settings["Logging:LogLevel:Default"] = "Warning";
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        SiloHost host = await SiloHost.StartAsync(SiloConfiguration.FromConfiguration(configuration));
        _hosts.Add(host);
        return host;
    }
}
