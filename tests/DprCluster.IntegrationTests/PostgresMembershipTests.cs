using System.Globalization;
using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using DprCluster.Testing;
using Npgsql;

namespace DprCluster.IntegrationTests;

/// <summary>
/// PostgreSQL membership end to end: a test-owned PostgreSQL server gets deploy/postgres/orleans-membership.sql, and
/// real silo processes (shard-0, shard-1 and a gateway+encoder silo) join through it with
/// <c>Cluster:Membership:Provider=postgres</c>, serve writes and searches across both shards, and appear in the
/// membership table.
/// </summary>
public sealed class PostgresMembershipTests
{
    private const int ShardCount = 2;
    private const int Active = 3; // Orleans' SiloStatus.Active, as the provider stores it.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task SilosJoinThroughPostgresAndServeEveryShard()
    {
        await using PostgresServer postgres = await PostgresServer.StartAsync(Deadline);
        string script = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Deploy, "postgres", "orleans-membership.sql"));
        // Twice: the script must be safe to re-apply to a database it already set up.
        await ExecuteAsync(postgres.ConnectionString, script);
        await ExecuteAsync(postgres.ConnectionString, script);

        string clusterId = "pg-" + Guid.NewGuid().ToString("N")[..8];
        string[] names = [SiloCluster.ShardSiloName(0), SiloCluster.ShardSiloName(1), "gateway"];
        using LoopbackPorts ports = LoopbackPorts.Lease(2 * names.Length);
        string root = Directory.CreateTempSubdirectory("dprcluster-pg-cluster-").FullName;
        SiloProcess[] silos =
        [
            Silo(names[0], "shard", 0),
            Silo(names[1], "shard", 2),
            Silo(names[2], "gateway,encoder", 4),
        ];
        try
        {
            foreach (SiloProcess silo in silos)
            {
                silo.Start();
            }
            using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                await Task.WhenAll(silos.Select(silo => silo.WaitReadyAsync(probe, Deadline)));
            }
            using var client = new ClusterClient(silos[2].ApiUrl, timeout: TimeSpan.FromSeconds(60));

            // The gateway learns of the others through the table; wait until it sees all three active and every shard serving.
            ClusterBody cluster = await Poll.UntilAsync("the gateway to see every silo active and every shard serving", Deadline, async () =>
            {
                try
                {
                    ClusterBody view = await client.GetClusterAsync();
                    bool complete = names.All(name => view.Silos.Any(s => s.Name == name && s.Status == "active"))
                        && view.Shards.All(shard => shard.Replicas.All(r => r.Stats?.State == ShardState.Serving));
                    return complete ? view : null;
                }
                catch (ClusterApiException)
                {
                    return null;
                }
            });
            Assert.Equal(names.Order(StringComparer.Ordinal), cluster.Silos.Select(s => s.Name).Order(StringComparer.Ordinal));

            var placement = new ShardPlacement(ShardCount, ShardCount, 1);
            PassageBody[] passages = [.. Enumerable.Range(0, ShardCount).Select(shard => new PassageBody
            {
                Id = Enumerable.Range(0, 10_000).Select(i => $"pg-{i}").First(id => placement.ShardOf(id) == shard),
                Title = $"Harbour {shard}",
                Text = $"The old lighthouse of harbour {shard} guides fishing boats home through the fog.",
            })];
            await client.UpsertAsync(passages);
            SearchResponseBody found = await client.SearchAsync(new SearchBody { Query = "lighthouse guiding boats through fog", K = 10 });
            Assert.False(found.Partial);
            Assert.Equal(passages.Select(p => p.Id!).Order(StringComparer.Ordinal), found.Hits.Select(h => h.Id).Order(StringComparer.Ordinal));
            Assert.Equal(new[] { 0, 1 }, found.Hits.Select(h => h.Shard).Order());

            Dictionary<string, int> members = await MembersAsync(postgres.ConnectionString, clusterId);
            Assert.Equal(names.Order(StringComparer.Ordinal), members.Keys.Order(StringComparer.Ordinal));
            Assert.All(members.Values, status => Assert.Equal(Active, status));
        }
        finally
        {
            foreach (SiloProcess silo in silos)
            {
                silo.Dispose();
            }
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory left behind is harmless.
            }
        }

        SiloProcess Silo(string name, string roles, int firstPort)
        {
            string api = $"http://127.0.0.1:{ports.Ports[firstPort].ToString(CultureInfo.InvariantCulture)}";
            var environment = new Dictionary<string, string>
            {
                ["DPRCLUSTER_Cluster__ShardCount"] = ShardCount.ToString(CultureInfo.InvariantCulture),
                ["DPRCLUSTER_Cluster__ReplicationFactor"] = "1",
                ["DPRCLUSTER_Cluster__ClusterId"] = clusterId,
                ["DPRCLUSTER_Cluster__ShardSilos__0"] = names[0],
                ["DPRCLUSTER_Cluster__ShardSilos__1"] = names[1],
                ["DPRCLUSTER_Cluster__Membership__Provider"] = "postgres",
                ["DPRCLUSTER_Cluster__Membership__ConnectionString"] = postgres.ConnectionString,
                ["DPRCLUSTER_Silo__Name"] = name,
                ["DPRCLUSTER_Silo__Roles"] = roles,
                ["DPRCLUSTER_Silo__AdvertisedAddress"] = "127.0.0.1",
                ["DPRCLUSTER_Silo__ApiUrl"] = api,
                ["DPRCLUSTER_Silo__SiloPort"] = ports.Ports[firstPort + 1].ToString(CultureInfo.InvariantCulture),
                ["DPRCLUSTER_Silo__DataDirectory"] = Path.Combine(root, name),
                ["DPRCLUSTER_Encoder__Kind"] = "onnx",
                ["DPRCLUSTER_Encoder__QuestionModel"] = RepositoryPaths.TinyModel,
                ["DPRCLUSTER_Encoder__IntraOpThreads"] = "1",
                ["DPRCLUSTER_Telemetry__Enabled"] = "false",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            return new SiloProcess(name, new Uri(api + "/"), environment: environment);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Silo name → status of the cluster's rows in the membership table.</summary>
    private static async Task<Dictionary<string, int>> MembersAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT SiloName, Status FROM OrleansMembershipTable WHERE DeploymentId = @cluster", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        var members = new Dictionary<string, int>(StringComparer.Ordinal);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            members.Add(reader.GetString(0), reader.GetInt32(1));
        }
        return members;
    }
}
