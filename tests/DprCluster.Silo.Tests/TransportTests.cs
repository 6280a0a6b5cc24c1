using DprCluster.Encoders;
using DprCluster.Grains.Contracts;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Transport;
using DprCluster.Text.Bm25;

namespace DprCluster.Silo.Tests;

/// <summary>The h2c + protobuf transport: messages arrive whole, failures keep their codes, deadlines and cancellation reach the callee.</summary>
public sealed class TransportTests
{
    [Fact]
    public async Task SearchRequestAndAnswerCrossTheWireUnchanged()
    {
        var metadata = new Dictionary<string, string> { ["lang"] = "en", ["source"] = "wiki" };
        var shard = new ScriptedShard(3)
        {
            OnSearch = (_, _) => Task.FromResult(new ShardSearchResponse(3,
                [new ShardHit("a", 0.75f, "Title A", "Text A", metadata), new ShardHit("b", -1.5f, "", "Text B", null)],
                [new ShardHit("c", 12.25f, "Title C", "Text C", null)])),
        };
        await using TransportHarness harness = await TransportHarness.StartAsync(id => id == 3 ? shard : null);
        var remote = new RemoteShardGrain(harness.Connect(), 3);
        var statistics = new Bm25Statistics(10, 200, new Dictionary<string, long> { ["tower"] = 3, ["pari"] = 1 });
        var request = new ShardSearchRequest([0.5f, -0.25f, 1e-7f], new Bm25Query(["tower", "pari", "tower"]), statistics, 7, 64);

        ShardSearchResponse response = await remote.SearchAsync(request, CancellationToken.None);

        ShardSearchRequest received = shard.LastSearch!;
        Assert.Equal(request.Vector, received.Vector);
        Assert.Equal(["tower", "pari"], received.Terms!.Terms);
        Assert.Equal([2, 1], received.Terms.Counts);
        Assert.Equal(200, received.Statistics!.TotalLength);
        Assert.Equal(3, received.Statistics.DocumentFrequency("tower"));
        Assert.Equal((7, 64), (received.K, received.Ef));
        Assert.Equal(3, response.ShardId);
        Assert.Equal(["a", "b"], response.Dense.Select(h => h.Id));
        Assert.Equal(-1.5f, response.Dense[1].Score);
        Assert.Equal(metadata, response.Dense[0].Metadata);
        Assert.Null(response.Dense[1].Metadata);
        Assert.Equal("Text C", Assert.Single(response.Bm25).Text);
    }

    [Fact]
    public async Task SearchWithoutVectorOrTermsStaysWithoutThem()
    {
        var shard = new ScriptedShard(0);
        await using TransportHarness harness = await TransportHarness.StartAsync(_ => shard);
        await new RemoteShardGrain(harness.Connect(), 0).SearchAsync(new ShardSearchRequest(null, null, null, 5), CancellationToken.None);
        Assert.Null(shard.LastSearch!.Vector);
        Assert.Null(shard.LastSearch.Terms);
        Assert.Null(shard.LastSearch.Statistics);
    }

    [Fact]
    public async Task WritesReadsAndStatsRoundTrip()
    {
        var shard = new ScriptedShard(1);
        shard.Stored["x"] = new Passage("x", "T", "body", new Dictionary<string, string> { ["k"] = "v" });
        await using TransportHarness harness = await TransportHarness.StartAsync(_ => shard);
        var remote = new RemoteShardGrain(harness.Connect(), 1);

        ShardWriteResponse upsert = await remote.UpsertAsync(new ShardUpsertRequest(
            [new EncodedPassage(new Passage("p", "", "t"), [1f, 2f]), new EncodedPassage(new Passage("q", "", "u"), [3f, 4f])]), CancellationToken.None);
        Assert.Equal(2, upsert.Applied);
        Passage? stored = await remote.GetAsync("x", CancellationToken.None);
        Assert.Equal("v", stored!.Metadata!["k"]);
        Assert.Null(await remote.GetAsync("missing", CancellationToken.None));
        Assert.Equal(1, (await remote.DeleteAsync(new ShardDeleteRequest(["x", "missing"]), CancellationToken.None)).Applied);
        ShardStats stats = await remote.GetStatsAsync(CancellationToken.None);
        Assert.Equal(new ShardStats(1, ShardState.Failed, 7, 2, 42, 40, 4096, "wal-1.log: bad record at offset 96"), stats);
        Bm25Statistics statistics = await remote.GetStatisticsAsync(["ab", "abcd"], CancellationToken.None);
        Assert.Equal(4, statistics.DocumentFrequency("abcd"));
    }

    [Theory]
    [InlineData(ClusterErrorCodes.Overloaded)]
    [InlineData(ClusterErrorCodes.ShardRecovering)]
    [InlineData(ClusterErrorCodes.DimensionMismatch)]
    [InlineData(ClusterErrorCodes.InvalidRequest)]
    public async Task ClusterErrorKeepsItsCodeAndMessageAcrossTheWire(string code)
    {
        var shard = new ScriptedShard(0) { OnSearch = (_, _) => throw new ClusterException(code, $"scripted {code}") };
        await using TransportHarness harness = await TransportHarness.StartAsync(_ => shard);
        var error = await Assert.ThrowsAsync<ClusterException>(() =>
            new RemoteShardGrain(harness.Connect(), 0).SearchAsync(new ShardSearchRequest(null, null, null, 1), CancellationToken.None));
        Assert.Equal(code, error.Code);
        Assert.Equal($"scripted {code}", error.Message);
    }

    [Fact]
    public async Task ShardThisSiloDoesNotHoldIsUnavailableSoTheCallerTriesAnotherReplica()
    {
        await using TransportHarness harness = await TransportHarness.StartAsync(_ => null);
        var error = await Assert.ThrowsAsync<ClusterException>(() =>
            new RemoteShardGrain(harness.Connect(), 5).GetAsync("a", CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.ShardUnavailable, error.Code);
    }

    [Fact]
    public async Task UnreachableSiloIsShardUnavailable()
    {
        using var connection = new SiloConnection("gone", new Uri($"http://127.0.0.1:{TransportHarness.FreePort()}"), new TransportOptions());
        var error = await Assert.ThrowsAsync<ClusterException>(() =>
            new RemoteShardGrain(connection, 0).GetStatsAsync(CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.ShardUnavailable, error.Code);
    }

    [Fact]
    public async Task TheRemainingDeadlineTravelsWithTheCallAndCancelsTheCalleeWhenItPasses()
    {
        var seenBudget = new TaskCompletionSource<TimeSpan?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calleeCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var shard = new ScriptedShard(0)
        {
            OnSearch = async (_, token) =>
            {
                seenBudget.TrySetResult(CallDeadline.Remaining);
                using (token.Register(() => calleeCancelled.TrySetResult()))
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                return new ShardSearchResponse(0, [], []);
            },
        };
        await using TransportHarness harness = await TransportHarness.StartAsync(_ => shard);
        var remote = new RemoteShardGrain(harness.Connect(), 0);

        Task<ClusterException> call = Task.Run(() =>
        {
            CallDeadline.Set(TimeSpan.FromMilliseconds(300));
            return Assert.ThrowsAsync<ClusterException>(() => remote.SearchAsync(new ShardSearchRequest(null, null, null, 1), CancellationToken.None));
        });

        TimeSpan? budget = await seenBudget.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(budget);
        Assert.InRange(budget.Value, TimeSpan.Zero, TimeSpan.FromMilliseconds(300));
        Assert.Equal(ClusterErrorCodes.DeadlineExceeded, (await call.WaitAsync(TimeSpan.FromSeconds(30))).Code);
        await calleeCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task CallerCancellationReachesTheCallee()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calleeCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var shard = new ScriptedShard(0)
        {
            OnSearch = async (_, token) =>
            {
                using (token.Register(() => calleeCancelled.TrySetResult()))
                {
                    started.TrySetResult();
                    await Task.Delay(Timeout.Infinite, token);
                }
                return new ShardSearchResponse(0, [], []);
            },
        };
        await using TransportHarness harness = await TransportHarness.StartAsync(_ => shard);
        using var cancellation = new CancellationTokenSource();
        Task call = new RemoteShardGrain(harness.Connect(), 0).SearchAsync(new ShardSearchRequest(null, null, null, 1), cancellation.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await calleeCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task EncoderVectorsCrossTheWireAndAnUnreachableEncoderSiloIsSkipped()
    {
        var encoder = new ScriptedEncoder(3);
        await using TransportHarness harness = await TransportHarness.StartAsync(_ => null, encoder);
        using var dead = new SiloConnection("dead", new Uri($"http://127.0.0.1:{TransportHarness.FreePort()}"), new TransportOptions());
        var remote = new RemoteEncoderGrain([dead, harness.Connect()], 3);

        for (int call = 0; call < 2; call++)
        {
            float[][] queries = await remote.EncodeQueriesAsync(["ab", "abcde"], CancellationToken.None);
            Assert.Equal([[2f, 0f, 1f], [5f, 0f, 1f]], queries);
            float[][] passages = await remote.EncodePassagesAsync([new PassageText("t", "abc"), new PassageText("", "")], CancellationToken.None);
            Assert.Equal([[3f, 1f, 1f], [0f, 0f, 1f]], passages);
        }
    }

    [Fact]
    public async Task EncoderOfAnotherDimensionIsRefused()
    {
        await using TransportHarness harness = await TransportHarness.StartAsync(_ => null, new ScriptedEncoder(3));
        var remote = new RemoteEncoderGrain([harness.Connect()], 4);
        var error = await Assert.ThrowsAsync<ClusterException>(() => remote.EncodeQueriesAsync(["q"], CancellationToken.None));
        Assert.Equal(ClusterErrorCodes.DimensionMismatch, error.Code);
    }

    /// <summary>Encodes a text as (length, title length, 1), so results are predictable.</summary>
    private sealed class ScriptedEncoder(int dimension) : IEncoderGrain
    {
        public int Dimension { get; } = dimension;

        public Task<float[][]> EncodeQueriesAsync(IReadOnlyList<string> queries, CancellationToken cancellationToken) =>
            Task.FromResult(queries.Select(q => new[] { q.Length, 0f, 1f }).ToArray());

        public Task<float[][]> EncodePassagesAsync(IReadOnlyList<PassageText> passages, CancellationToken cancellationToken) =>
            Task.FromResult(passages.Select(p => new[] { p.Text.Length, p.Title.Length, 1f }).ToArray());
    }
}
