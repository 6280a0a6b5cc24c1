using System.Diagnostics;
using System.Diagnostics.Metrics;
using DprCluster.Encoders;
using DprCluster.Grains.Contracts;
using DprCluster.Grains.Coordinator;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Telemetry;
using DprCluster.Text.Bm25;

namespace DprCluster.DeploymentTests.Telemetry;

/// <summary>
/// The coordinator's instrumentation in process, through the same listeners an OpenTelemetry SDK uses: stage
/// latencies, partial answers, replica failures, rejected requests, and the search's span tree.
/// </summary>
public sealed class CoordinatorTelemetryTests : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _spans;
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly List<Activity> _stopped = [];

    public CoordinatorTelemetryTests()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DprClusterTelemetry.Components.Coordinator)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DprClusterTelemetry.Components.Coordinator,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_stopped)
                {
                    _stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_spans);
    }

    public void Dispose()
    {
        _meters.Dispose();
        _spans.Dispose();
    }

    [Fact]
    public async Task Searches_missing_a_shard_count_failed_replicas_and_partial_answers_and_mark_their_spans()
    {
        // Shard 0: a dead and a live replica (failover); shard 1: only a dead one (partial answers). Coordinators
        // rotate the replica they try first, so two searches try each of shard 0's replicas first once.
        var coordinator = new CoordinatorGrain(new Directory(
        [
            [new ShardReplica("silo-a", new StubShard(0, down: true)), new ShardReplica("silo-b", new StubShard(0, down: false))],
            [new ShardReplica("silo-c", new StubShard(1, down: true))],
        ], new StubEncoder(overloaded: false)));

        for (int i = 0; i < 2; i++)
        {
            SearchResponse response = await coordinator.SearchAsync(new SearchRequest("a question"), CancellationToken.None);
            Assert.True(response.Partial);
            Assert.Equal([1], response.FailedShards);
        }

        var failures = Measured(DprClusterTelemetry.Metrics.ReplicaFailures);
        Assert.Equal(["silo-a", "silo-c", "silo-c"], failures.Select(m => (string)m.Tags["replica"]!).Order());
        Assert.All(failures, m => Assert.Equal(ClusterErrorCodes.ShardUnavailable, m.Tags["error.type"]));
        Assert.All(failures, m => Assert.Equal("search", m.Tags["operation"]));
        var partial = Measured(DprClusterTelemetry.Metrics.SearchPartial);
        Assert.Equal(2, partial.Count);
        Assert.All(partial, m => Assert.Equal("dense", m.Tags["mode"]));
        var stages = Measured(DprClusterTelemetry.Metrics.SearchDuration);
        // A dense search has no BM25 statistics stage.
        Assert.Equal(["encode", "encode", "merge", "merge", "shards", "shards", "total", "total"],
            stages.Select(m => (string)m.Tags["stage"]!).Order());
        Assert.All(stages, m => Assert.True(m.Value >= 0));

        List<Activity> searches = Stopped(DprClusterTelemetry.Spans.Search);
        Assert.Equal(2, searches.Count);
        Assert.All(searches, search => Assert.Equal(true, search.GetTagItem("partial")));
        List<Activity> calls = Stopped(DprClusterTelemetry.Spans.ShardCall);
        Assert.Equal(4, calls.Count);
        Assert.All(calls, call => Assert.Contains(searches, search => search.TraceId == call.TraceId));
        List<Activity> shard0 = [.. calls.Where(call => (int)call.GetTagItem("shard")! == 0)];
        Assert.All(shard0, call => Assert.Equal("silo-b", call.GetTagItem("replica")));
        Assert.Single(shard0, call => call.Events.Any(e => e.Name == "replica_failed"));
        Assert.All(calls.Where(call => (int)call.GetTagItem("shard")! == 1), call => Assert.Equal(ActivityStatusCode.Error, call.Status));
        foreach (Activity search in searches)
        {
            Assert.Single(Stopped(DprClusterTelemetry.Spans.Encode), span => span.ParentSpanId == search.SpanId);
            Assert.Single(Stopped(DprClusterTelemetry.Spans.Merge), span => span.ParentSpanId == search.SpanId);
        }
    }

    [Fact]
    public async Task A_search_refused_by_a_full_encoder_queue_is_counted_as_rejected_and_fails_its_span()
    {
        var coordinator = new CoordinatorGrain(new Directory(
            [[new ShardReplica("silo-a", new StubShard(0, down: false))]], new StubEncoder(overloaded: true)));

        var error = await Assert.ThrowsAsync<ClusterException>(() => coordinator.SearchAsync(new SearchRequest("q"), CancellationToken.None));

        Assert.Equal(ClusterErrorCodes.Overloaded, error.Code);
        Assert.Equal("search", Assert.Single(Measured(DprClusterTelemetry.Metrics.RequestsRejected)).Tags["operation"]);
        Activity search = Assert.Single(Stopped(DprClusterTelemetry.Spans.Search));
        Assert.Equal(ActivityStatusCode.Error, search.Status);
        Assert.Equal(ClusterErrorCodes.Overloaded, search.GetTagItem("error.type"));
        Assert.Empty(Measured(DprClusterTelemetry.Metrics.SearchDuration));
    }

    [Fact]
    public async Task A_search_inside_a_sampled_out_trace_creates_no_spans_but_still_records_metrics()
    {
        var coordinator = new CoordinatorGrain(new Directory(
            [[new ShardReplica("silo-a", new StubShard(0, down: false))]], new StubEncoder(overloaded: false)));
        using (var caller = new Activity("unsampled caller"))
        {
            caller.SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);
            caller.Start();
            await coordinator.SearchAsync(new SearchRequest("q"), CancellationToken.None);
        }

        lock (_stopped)
        {
            Assert.Empty(_stopped);
        }
        Assert.Equal(4, Measured(DprClusterTelemetry.Metrics.SearchDuration).Count);
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags) where T : struct
    {
        var copy = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }
        lock (_measurements)
        {
            _measurements.Add((instrument.Name, Convert.ToDouble(value), copy));
        }
    }

    private List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measured(string instrument)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument)];
        }
    }

    private List<Activity> Stopped(string name)
    {
        lock (_stopped)
        {
            return [.. _stopped.Where(a => a.OperationName == name)];
        }
    }

    private sealed class Directory(IReadOnlyList<ShardReplica>[] replicas, IEncoderGrain encoder) : IGrainDirectory
    {
        public ShardPlacement Placement { get; } = new(replicas.Length, replicas.Length, 1);

        public IEncoderGrain Encoder => encoder;

        public IReadOnlyList<SiloStatus> Silos => [];

        public IReadOnlyList<ShardReplica> ReplicasOf(int shard) => replicas[shard];
    }

    private sealed class StubEncoder(bool overloaded) : IEncoderGrain
    {
        public int Dimension => 4;

        public Task<float[][]> EncodeQueriesAsync(IReadOnlyList<string> queries, CancellationToken cancellationToken) => overloaded
            ? Task.FromException<float[][]>(new ClusterException(ClusterErrorCodes.Overloaded, "queue full"))
            : Task.FromResult(queries.Select(_ => new float[] { 1, 0, 0, 0 }).ToArray());

        public Task<float[][]> EncodePassagesAsync(IReadOnlyList<PassageText> passages, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class StubShard(int shard, bool down) : IShardGrain
    {
        public int ShardId => shard;

        public Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken) => down
            ? Task.FromException<ShardSearchResponse>(new ClusterException(ClusterErrorCodes.ShardUnavailable, "unreachable"))
            : Task.FromResult(new ShardSearchResponse(shard, [new ShardHit($"p{shard}", 1, "t", "x", null)], []));

        public Task<Bm25Statistics> GetStatisticsAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ShardWriteResponse> UpsertAsync(ShardUpsertRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ShardWriteResponse> DeleteAsync(ShardDeleteRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<Passage?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ShardStats> GetStatsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
