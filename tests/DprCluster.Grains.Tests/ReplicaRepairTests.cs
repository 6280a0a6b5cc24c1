using DprCluster.Abstractions;
using DprCluster.Core.Hashing;
using System.Diagnostics.Metrics;
using DprCluster.Grains.Shard;
using DprCluster.Grains.Telemetry;
using DprCluster.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DprCluster.Grains.Tests;

/// <summary>
/// One write order per shard and repair: replicas that missed writes (their silo was down) copy them from a peer —
/// log records, or a snapshot when the peer's log no longer reaches back — before they serve reads, and replicas
/// that raced on one id end up equal.
/// </summary>
[Collection(ReplicationTelemetryCollection.Name)]
public sealed class ReplicaRepairTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private static Passage Version(int i, int version) => new($"doc-{i}", $"title {i}", $"passage {i} in version {version} about topic {i % 7}");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_replica_that_was_down_catches_up_from_its_peer_and_then_serves_every_acknowledged_write(bool peerSnapshotsMeanwhile)
    {
        var settings = new Dictionary<string, string?> { ["Coordinator:WriteQuorum"] = "1" };
        if (peerSnapshotsMeanwhile)
        {
            // The peer snapshots (and drops old log files) several times while the replica is down: it must copy a snapshot.
            settings["Shard:SnapshotEveryRecords"] = "40";
        }
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 2, shards: 2, replicas: 2, settings);
        ICoordinatorGrain coordinator = cluster.CoordinatorOn(0);
        var expected = new Dictionary<string, Passage?>();
        for (int i = 0; i < 30; i++)
        {
            expected[Version(i, 0).Id] = Version(i, 0);
        }
        await coordinator.UpsertAsync([.. expected.Values.OfType<Passage>()], CancellationToken.None);

        InProcessSiloHandle down = cluster.Silo(1);
        await cluster.Cluster.StopSiloAsync(down);
        for (int round = 0; round < 10; round++)
        {
            var batch = new List<Passage>();
            for (int i = round * 20; i < round * 20 + 20; i++)
            {
                batch.Add(Version(i, round + 1));
            }
            await coordinator.UpsertAsync([.. batch], CancellationToken.None);
            foreach (Passage p in batch)
            {
                expected[p.Id] = p;
            }
            string deleted = $"doc-{round * 3}";
            await coordinator.DeleteAsync(deleted, CancellationToken.None);
            expected[deleted] = null;
        }

        await cluster.RestartAsync(down);
        await cluster.WaitUntilServingAsync();

        // Read through the restarted silo's replicas alone: nothing missing, nothing stale, no delete undone.
        ShardStore restarted = cluster.Silo(1).ServiceProvider.GetRequiredService<ShardStore>();
        ShardStore peer = cluster.Silo(0).ServiceProvider.GetRequiredService<ShardStore>();
        foreach ((string id, Passage? passage) in expected)
        {
            ShardReplica replica = restarted.Find(PassageIdHash.ShardOf(id, 2))!;
            Passage? stored = await replica.GetAsync(id, CancellationToken.None);
            Assert.Equal(passage?.Text, stored?.Text);
        }
        foreach (ShardReplica replica in restarted.Replicas)
        {
            ShardStats mine = await replica.GetStatsAsync(CancellationToken.None);
            ShardStats theirs = await peer.Find(replica.ShardId)!.GetStatsAsync(CancellationToken.None);
            Assert.Equal(ShardState.Serving, mine.State);
            Assert.Equal((theirs.LastLsn, theirs.Passages, theirs.ContentDigest), (mine.LastLsn, mine.Passages, mine.ContentDigest));
            if (peerSnapshotsMeanwhile)
            {
                Assert.True(mine.SnapshotLsn > 0, $"shard {replica.ShardId} should have installed its peer's snapshot");
            }
        }

        // Writes after the repair reach it in order like any other.
        await coordinator.UpsertAsync([Version(500, 1)], CancellationToken.None);
        Assert.NotNull(await restarted.Find(PassageIdHash.ShardOf("doc-500", 2))!.GetAsync("doc-500", CancellationToken.None));
        ClusterStatus status = await Poll.UntilAsync("every replica's lag to read 0", Deadline, async () =>
        {
            ClusterStatus current = await coordinator.GetClusterAsync(CancellationToken.None);
            return current.Shards.All(s => s.Replicas.All(r => r.Lag == 0)) ? current : null;
        });
        Assert.All(status.Shards, s => Assert.Equal(s.Replicas[0].Stats!.ContentDigest, s.Replicas[1].Stats!.ContentDigest));
    }

    [Fact]
    public async Task The_lag_shows_while_a_replica_is_down_and_a_refused_write_says_it_will_reach_every_replica()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 2, shards: 1, replicas: 2);
        ICoordinatorGrain coordinator = cluster.CoordinatorOn(0);
        await coordinator.UpsertAsync([Version(1, 0), Version(2, 0)], CancellationToken.None);
        InProcessSiloHandle down = cluster.Silo(1);
        await cluster.Cluster.StopSiloAsync(down);

        // Quorum is every replica: the write is applied on the live one, refused to the caller, and not undone.
        ClusterException refused = await Assert.ThrowsAsync<ClusterException>(() => coordinator.UpsertAsync([Version(3, 0)], CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.ShardUnavailable, refused.Code);
        Assert.Contains("1 of 2 replicas applied the write", refused.Message);
        Assert.Contains("not undone", refused.Message);

        ClusterStatus lagging = await coordinator.GetClusterAsync(CancellationToken.None);
        ReplicaStatus offline = lagging.Shards[0].Replicas.Single(r => !r.Reachable);
        Assert.Equal(1, offline.Lag);
        Assert.Equal(3, lagging.Shards[0].WriterLsn);
        Assert.Equal(1, ReplicaLagGauge()[(0, offline.Replica)]);

        await cluster.RestartAsync(down);
        await cluster.WaitUntilServingAsync();
        ClusterStatus repaired = await Poll.UntilAsync("the restarted replica's lag to read 0", Deadline, async () =>
        {
            ClusterStatus current = await coordinator.GetClusterAsync(CancellationToken.None);
            return current.Shards[0].Replicas.All(r => r.Reachable && r.Lag == 0) ? current : null;
        });
        Assert.All(repaired.Shards[0].Replicas, r => Assert.Equal(3, r.Stats!.Passages));
        // The writer refreshes what it knows of the replicas every 2 s: the gauge follows within that.
        await Poll.UntilAsync("the lag gauge to read 0", Deadline, () => Task.FromResult(ReplicaLagGauge()[(0, offline.Replica)] == 0));
        ShardStore restarted = cluster.Silo(1).ServiceProvider.GetRequiredService<ShardStore>();
        Assert.Equal(Version(3, 0).Text, (await restarted.Find(0)!.GetAsync("doc-3", CancellationToken.None))?.Text);
    }

    /// <summary>The replica lag gauge as a scrape would read it now, by (shard, replica).</summary>
    private static Dictionary<(int Shard, int Replica), long> ReplicaLagGauge()
    {
        var lags = new Dictionary<(int, int), long>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == DprClusterTelemetry.Metrics.ReplicaLag)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            int shard = -1;
            int replica = -1;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                shard = tag.Key == DprClusterTelemetry.Attributes.Shard ? (int)tag.Value! : shard;
                replica = tag.Key == DprClusterTelemetry.Attributes.Replica ? (int)tag.Value! : replica;
            }
            lags[(shard, replica)] = value;
        });
        meters.Start();
        meters.RecordObservableInstruments();
        return lags;
    }

    [Fact]
    public async Task Concurrent_writes_to_one_id_leave_every_replica_with_the_same_passage()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 2, shards: 2, replicas: 2);
        ICoordinatorGrain coordinator = cluster.CoordinatorOn(0);
        const int Pairs = 50;
        var writes = new List<Task>();
        for (int i = 0; i < Pairs; i++)
        {
            int id = i;
            writes.Add(Task.Run(() => coordinator.UpsertAsync([Version(id, 1)], CancellationToken.None)));
            writes.Add(Task.Run(() => coordinator.UpsertAsync([Version(id, 2)], CancellationToken.None)));
        }
        await Task.WhenAll(writes);

        ShardStore first = cluster.Silo(0).ServiceProvider.GetRequiredService<ShardStore>();
        ShardStore second = cluster.Silo(1).ServiceProvider.GetRequiredService<ShardStore>();
        for (int i = 0; i < Pairs; i++)
        {
            string id = Version(i, 0).Id;
            int shard = PassageIdHash.ShardOf(id, 2);
            Passage? a = await first.Find(shard)!.GetAsync(id, CancellationToken.None);
            Passage? b = await second.Find(shard)!.GetAsync(id, CancellationToken.None);
            Assert.NotNull(a);
            Assert.Equal(a.Text, b?.Text);
        }
        foreach (ShardReplica replica in first.Replicas)
        {
            ShardStats x = await replica.GetStatsAsync(CancellationToken.None);
            ShardStats y = await second.Find(replica.ShardId)!.GetStatsAsync(CancellationToken.None);
            Assert.Equal((x.LastLsn, x.ContentDigest), (y.LastLsn, y.ContentDigest));
        }
    }
}

/// <summary>
/// Tests that read the process-wide replica lag gauge run alone: every in-process cluster's shard writers export it
/// under the same shard and replica numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReplicationTelemetryCollection
{
    public const string Name = "replication telemetry";
}
