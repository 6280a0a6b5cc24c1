using System.CommandLine;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster serve [--role R] [--config FILE]</c>: runs one silo until Ctrl+C or SIGTERM. Without a config file it
/// is the embedded default: every role in one process, 4 shards, data under ./data, the default pretrained encoder (all-MiniLM-L6-v2).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var role = new Option<string?>("--role") { Description = "gateway, shard, encoder (comma-separated) or all; overrides Silo:Roles." };
        var config = new Option<string?>("--config") { Description = "JSON configuration file (sections Silo, Cluster, Shard, Encoder, Api, Coordinator, Telemetry)." };
        var data = new Option<string?>("--data") { Description = "Data directory; overrides Silo:DataDirectory." };
        var apiUrl = new Option<string?>("--api-url") { Description = "REST API URL, e.g. http://0.0.0.0:8080; overrides Silo:ApiUrl." };
        var siloPort = new Option<int?>("--silo-port") { Description = "Orleans silo-to-silo port; overrides Silo:SiloPort." };
        var encoder = new Option<string?>("--encoder") { Description = "arctic-embed-xs, all-minilm-l6-v2, static or a model directory; overrides Encoder:Model." };
        var index = new Option<int?>("--index") { Description = "This shard silo's position in Cluster:ShardSilos; overrides Silo:Index." };
        var command = new Command("serve", "Run a silo (REST API, shard replicas, encoder) until stopped.")
        {
            role, config, data, apiUrl, siloPort, index, encoder,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            AddOverride(overrides, "Silo:Roles", parse.GetValue(role));
            AddOverride(overrides, "Silo:DataDirectory", parse.GetValue(data));
            AddOverride(overrides, "Silo:ApiUrl", parse.GetValue(apiUrl));
            AddOverride(overrides, "Silo:SiloPort", parse.GetValue(siloPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            AddOverride(overrides, "Encoder:Model", parse.GetValue(encoder));
            AddOverride(overrides, "Silo:Index", parse.GetValue(index)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return await RunAsync(parse.GetValue(config), overrides, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(string? configFile, Dictionary<string, string?> overrides, CancellationToken cancellationToken)
    {
        SiloHost host;
        try
        {
            host = await SiloHost.StartAsync(SiloConfiguration.Load(configFile, overrides), cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterConfigurationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        await using (host.ConfigureAwait(false))
        {
            SiloPlan map = host.Plan;
            Console.WriteLine($"silo {map.SiloName} ({string.Join(", ", SiloRoleNames.Names(map.Roles))}): API {map.ApiUrl}, " +
                $"silo port {map.SiloPort}, membership {map.Membership.ToString().ToLowerInvariant()}; {map.Placement.ShardCount} shards, " +
                $"replication {map.Placement.ReplicationFactor}" +
                (map.OwnedShards.Count > 0 ? $", owns shards [{string.Join(", ", map.OwnedShards)}]" : string.Empty));
            try
            {
                await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C through System.CommandLine: shut down below.
            }
            Console.WriteLine($"silo {map.SiloName} stopping");
        }
        return 0;
    }

    private static void AddOverride(Dictionary<string, string?> overrides, string key, string? value)
    {
        if (value is not null)
        {
            overrides[key] = value;
        }
    }
}
