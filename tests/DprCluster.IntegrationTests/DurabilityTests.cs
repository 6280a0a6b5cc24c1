using System.Collections.Concurrent;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using Xunit.Abstractions;

using DprCluster.Testing;

namespace DprCluster.IntegrationTests;

/// <summary>
/// <c>kill -9</c> of a shard silo in the middle of an ingest, then a restart: every write the gateway acknowledged is
/// on every replica of its shard, and the restarted silo recovers to serving with no corruption reported.
/// </summary>
public sealed class DurabilityTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int BatchSize = 16;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private static readonly string[] Words =
    [
        "river", "mountain", "temple", "glacier", "harbour", "desert", "forest", "castle", "island", "canyon",
        "volcano", "bridge", "library", "market", "observatory", "lighthouse", "meadow", "valley", "reef", "plateau",
    ];

    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task KillNineOfAShardSiloMidIngestThenRestartKeepsEveryAcknowledgedWrite()
    {
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        int ackedBatches = 0;
        int refusedBatches = 0;
        using var stop = new CancellationTokenSource();

        async Task WriteAsync(int writer)
        {
            for (int sequence = 0; !stop.IsCancellationRequested; sequence++)
            {
                var batch = new PassageBody[BatchSize];
                for (int i = 0; i < BatchSize; i++)
                {
                    string id = $"w{writer}-{sequence}-{i}";
                    batch[i] = new PassageBody
                    {
                        Id = id,
                        Title = Words[(sequence + i) % Words.Length],
                        Text = $"Passage {id} describes a {Words[i % Words.Length]} near a {Words[(sequence * 7 + i) % Words.Length]}.",
                    };
                }
                try
                {
                    await _cluster.Client.UpsertAsync(batch);
                    foreach (PassageBody passage in batch)
                    {
                        acknowledged[passage.Id!] = passage.Text!;
                    }
                    Interlocked.Increment(ref ackedBatches);
                }
                catch (ClusterApiException e) when (e.Status is 503 or 504)
                {
                    // A replica is down: the batch is not acknowledged, so nothing is promised about it.
                    Interlocked.Increment(ref refusedBatches);
                }
            }
        }

        Task[] writers = [Task.Run(() => WriteAsync(0)), Task.Run(() => WriteAsync(1))];
        // A writer that fails with anything but "replica down" ends the test with its own exception.
        Task<bool> Reached(ref int counter, int target)
        {
            foreach (Task writer in writers)
            {
                if (writer.IsFaulted)
                {
                    writer.GetAwaiter().GetResult();
                }
            }
            return Task.FromResult(Volatile.Read(ref counter) >= target);
        }

        SiloProcess victim = _cluster.ShardSilos[1];
        await Poll.UntilAsync("12 acknowledged batches", Deadline, () => Reached(ref ackedBatches, 12));
        victim.Kill();
        await Poll.UntilAsync("writes refused while a replica is down", Deadline, () => Reached(ref refusedBatches, 4));
        await _cluster.RestartAsync(victim);
        int afterRestart = Volatile.Read(ref ackedBatches);
        await Poll.UntilAsync("12 more acknowledged batches after the restart", Deadline, () => Reached(ref ackedBatches, afterRestart + 12));
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(await _cluster.IsReadyAsync(victim), "the restarted silo did not recover to serving");
        foreach (int shard in _cluster.Placement.ShardsOn(1))
        {
            ShardStats stats = await (await _cluster.ReplicaAsync(1, shard)).GetStatsAsync(CancellationToken.None);
            Assert.Equal(ShardState.Serving, stats.State);
            Assert.Null(stats.Error);
        }

        var lost = new List<string>();
        var replicas = new Dictionary<(int Silo, int Shard), IShardReplicaGrain>();
        foreach ((string id, string text) in acknowledged)
        {
            int shard = _cluster.Placement.ShardOf(id);
            foreach (int silo in _cluster.Placement.SilosOf(shard))
            {
                if (!replicas.TryGetValue((silo, shard), out IShardReplicaGrain? replica))
                {
                    replicas[(silo, shard)] = replica = await _cluster.ReplicaAsync(silo, shard);
                }
                Passage? stored = await replica.GetAsync(id, CancellationToken.None);
                if (stored?.Text != text)
                {
                    lost.Add($"{id} on shard-{silo}");
                }
            }
        }
        output.WriteLine($"{acknowledged.Count} acknowledged passages ({ackedBatches} batches), {refusedBatches} batches refused " +
            $"while shard-1 was down; {lost.Count} acknowledged writes missing from some replica");
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes missing of {acknowledged.Count}: {string.Join(", ", lost.Take(20))}");
        Assert.True(acknowledged.Count >= 24 * BatchSize);

        SearchResponseBody search = await _cluster.Client.SearchAsync(new SearchBody { Query = "w0-0-0 describes a river", K = 5, Mode = "bm25" });
        Assert.False(search.Partial);
        Assert.NotEmpty(search.Hits);
    }
}
