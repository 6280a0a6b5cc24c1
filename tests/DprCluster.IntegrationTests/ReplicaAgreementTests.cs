using System.Globalization;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using DprCluster.Testing;
using Xunit.Abstractions;

namespace DprCluster.IntegrationTests;

/// <summary>
/// Replicas agree on real silo processes with the Redis membership store and a write quorum of 1: writes racing on one
/// id from six clients leave every replica with the same passage, and a replica whose silo was down for a run of
/// writes and deletes catches up from its peer and then answers them all itself. Sizes come from
/// <c>DPRCLUSTER_TEST_RACE_PAIRS</c> and <c>DPRCLUSTER_TEST_DOWN_WRITES</c> (defaults 50 and 200), so the same test
/// measures the larger schedule of the targets.
/// </summary>
public sealed class ReplicaAgreementTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 6;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestCluster.StartAsync(new Dictionary<string, string> { ["DPRCLUSTER_Coordinator__WriteQuorum"] = "1" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task WritesRacingOnOneIdFromSixClientsLeaveEveryReplicaWithTheSamePassage()
    {
        int pairs = Setting("DPRCLUSTER_TEST_RACE_PAIRS", 50);
        ClusterClient[] clients = OpenClients();
        try
        {
            // Pair p goes to two clients at the same place in their queues, so its two writes are in flight together.
            var queues = new List<(string Id, string Text)>[Clients];
            for (int c = 0; c < Clients; c++)
            {
                queues[c] = [];
            }
            for (int p = 0; p < pairs; p++)
            {
                int first = p % (Clients / 2) * 2;
                queues[first].Add(($"race-{p}", $"version A of passage {p} about rivers"));
                queues[first + 1].Add(($"race-{p}", $"version B of passage {p} about glaciers"));
            }
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                foreach ((string id, string text) in queues[c])
                {
                    await clients[c].UpsertAsync([new PassageBody { Id = id, Text = text }]);
                }
            })));
        }
        finally
        {
            foreach (ClusterClient client in clients)
            {
                client.Dispose();
            }
        }

        ClusterBody cluster = await InStepAsync();
        int differing = 0;
        for (int p = 0; p < pairs; p++)
        {
            string id = $"race-{p}";
            var texts = new HashSet<string?>();
            int shard = _cluster.Placement.ShardOf(id);
            foreach (int silo in _cluster.Placement.SilosOf(shard))
            {
                texts.Add((await (await _cluster.ReplicaAsync(silo, shard)).GetAsync(id, CancellationToken.None))?.Text);
            }
            Assert.DoesNotContain(null, texts);
            differing += texts.Count > 1 ? 1 : 0;
        }
        output.WriteLine($"{pairs} racing pairs from {Clients} clients: {differing} ids whose replicas differ");
        Assert.Equal(0, differing);
        AssertReplicasAgree(cluster);
    }

    [Fact]
    public async Task AReplicaDownForWritesAndDeletesCatchesUpAndThenAnswersThemAlone()
    {
        int writes = Setting("DPRCLUSTER_TEST_DOWN_WRITES", 200);
        var expected = new Dictionary<string, string?>(StringComparer.Ordinal);
        await WriteAsync(expected, 0, 60, "before");
        // The writers have heard from every replica (they poll every 2 s) before one goes.
        await InStepAsync();

        SiloProcess victim = _cluster.ShardSilos[0];
        victim.Kill();
        for (int start = 60; start < 60 + writes; start += 20)
        {
            await WriteAsync(expected, start, Math.Min(20, 60 + writes - start), "while down");
        }
        // A fifth of what was there before is deleted while the replica is down: none of it may come back.
        int deletes = 0;
        for (int i = 0; i < 60; i += 5)
        {
            Assert.True(await _cluster.Client.DeleteAsync(Id(i)));
            expected[Id(i)] = null;
            deletes++;
        }

        ClusterBody lagging = await _cluster.Client.GetClusterAsync();
        var behind = new List<string>();
        foreach (ShardBody shard in lagging.Shards)
        {
            foreach (ReplicaBody replica in shard.Replicas)
            {
                if (!replica.Reachable && replica.Lag > 0)
                {
                    behind.Add($"shard {shard.ShardId} replica {replica.Replica}: {replica.Lag} behind");
                }
                else if (!replica.Reachable)
                {
                    output.WriteLine($"shard {shard.ShardId} replica {replica.Replica} (writer at {shard.WriterLsn}): lag {replica.Lag}, {replica.Error}");
                }
            }
        }
        output.WriteLine(string.Join("\n", behind));
        Assert.Equal(_cluster.Placement.ShardsOn(0).Count, behind.Count);

        await _cluster.RestartAsync(victim);
        ClusterBody repaired = await InStepAsync();
        AssertReplicasAgree(repaired);

        // Read through the repaired replicas alone: nothing missing, nothing stale, no delete undone.
        int missing = 0;
        int stale = 0;
        int undone = 0;
        var replicas = new Dictionary<int, IShardReplicaGrain>();
        foreach ((string id, string? text) in expected)
        {
            int shard = _cluster.Placement.ShardOf(id);
            if (!_cluster.Placement.SilosOf(shard).Contains(0))
            {
                continue;
            }
            if (!replicas.TryGetValue(shard, out IShardReplicaGrain? replica))
            {
                replicas[shard] = replica = await _cluster.ReplicaAsync(0, shard);
            }
            Passage? stored = await replica.GetAsync(id, CancellationToken.None);
            missing += text is not null && stored is null ? 1 : 0;
            stale += text is not null && stored is not null && stored.Text != text ? 1 : 0;
            undone += text is null && stored is not null ? 1 : 0;
        }
        output.WriteLine($"{writes} writes and {deletes} deletes while shard-0 was down: {missing} missing, {stale} stale, {undone} deletes undone");
        Assert.Equal((0, 0, 0), (missing, stale, undone));
    }

    private static string Id(int i) => $"down-{i.ToString(CultureInfo.InvariantCulture)}";

    private async Task WriteAsync(Dictionary<string, string?> expected, int start, int count, string phase)
    {
        var batch = new List<PassageBody>(count);
        for (int i = start; i < start + count; i++)
        {
            string text = $"passage {i} written {phase}, about harbour number {i % 11}";
            batch.Add(new PassageBody { Id = Id(i), Text = text });
            expected[Id(i)] = text;
        }
        await _cluster.Client.UpsertAsync(batch);
    }

    /// <summary>The cluster view once every replica answers and trails its shard by nothing.</summary>
    private Task<ClusterBody> InStepAsync() => Poll.UntilAsync("every replica reachable and in step with its shard", Deadline, async () =>
    {
        ClusterBody cluster = await _cluster.Client.GetClusterAsync();
        return cluster.Shards.All(s => s.Replicas.All(r => r.Reachable && r.Lag == 0 && r.Stats?.State == ShardState.Serving)) ? cluster : null;
    });

    private static void AssertReplicasAgree(ClusterBody cluster)
    {
        foreach (ShardBody shard in cluster.Shards)
        {
            ShardStatsBody first = shard.Replicas[0].Stats!;
            Assert.All(shard.Replicas, r => Assert.Equal((first.LastLsn, first.Passages, first.ContentDigest),
                (r.Stats!.LastLsn, r.Stats.Passages, r.Stats.ContentDigest)));
        }
    }

    private ClusterClient[] OpenClients()
    {
        var clients = new ClusterClient[Clients];
        for (int c = 0; c < Clients; c++)
        {
            clients[c] = new ClusterClient(_cluster.Gateway.ApiUrl, TestCluster.ApiKey, TimeSpan.FromSeconds(60));
        }
        return clients;
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : fallback;
}
