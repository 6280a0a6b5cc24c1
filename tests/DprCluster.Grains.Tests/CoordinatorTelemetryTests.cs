using System.Diagnostics;
using System.Diagnostics.Metrics;
using DprCluster.Abstractions;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Grains.Telemetry;

namespace DprCluster.Grains.Tests;

/// <summary>
/// The coordinator's instrumentation on an in-process Orleans cluster, through the same listeners an OpenTelemetry SDK
/// uses: stage latencies, partial answers, replica failures, rejected requests, and the search's span tree.
/// </summary>
[Collection(nameof(CoordinatorTelemetryTests))]
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
            // Orleans' grain-call spans carry the caller's context into the grain, as on a silo; sampling follows the
            // parent, as OpenTelemetry's default ParentBased sampler does.
            ShouldListenTo = source => source.Name is DprClusterTelemetry.Components.Coordinator or "Microsoft.Orleans.Application",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent == default || options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.PropagationData,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name != DprClusterTelemetry.Components.Coordinator)
                {
                    return;
                }
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
        // 3 shards with 2 replicas on 3 silos; with silos 1 and 2 stopped, shards 0 and 2 keep a replica on silo 0
        // (failover) and shard 1 has none (partial answers).
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 3, shards: 3, replicas: 2);
        await cluster.Coordinator.UpsertAsync([new Passage("p", "", "a question")], CancellationToken.None);
        await cluster.Cluster.StopSiloAsync(cluster.Silo(1));
        await cluster.Cluster.StopSiloAsync(cluster.Silo(2));
        Clear();

        for (int i = 0; i < 2; i++)
        {
            SearchResponse response = await cluster.Coordinator.SearchAsync(new SearchRequest("a question"), CancellationToken.None);
            Assert.True(response.Partial);
            Assert.Equal([1], response.FailedShards);
        }

        var failures = Measured(DprClusterTelemetry.Metrics.ReplicaFailures);
        // Both of shard 1's replicas fail in each search; shards 0 and 2 fail only when the rotation tries silo 1 or 2 first.
        Assert.Equal(4, failures.Count(m => (int)m.Tags["shard"]! == 1));
        Assert.All(failures, m => Assert.Contains((string)m.Tags["replica"]!, new[] { "dpr-1", "dpr-2" }));
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
        List<Activity> calls = Stopped(DprClusterTelemetry.Spans.ShardCall).Where(c => (string?)c.GetTagItem("operation") == "search").ToList();
        Assert.All(calls, call => Assert.Contains(searches, search => search.TraceId == call.TraceId));
        // One call per silo that holds a first-choice replica (tagged with how many shards it covers) ...
        List<Activity> siloCalls = calls.Where(c => c.GetTagItem("shards") is not null).ToList();
        Assert.All(siloCalls, call => Assert.Equal(call.GetTagItem("replica") is "dpr-0" ? ActivityStatusCode.Unset : ActivityStatusCode.Error, call.Status));
        Assert.Equal(2 * 3, siloCalls.Sum(call => (int)call.GetTagItem("shards")!));
        // ... then, for each shard whose silo failed, one call to its other replica: shard 1 has none left alive.
        List<Activity> retries = calls.Where(c => c.GetTagItem("shard") is not null).ToList();
        Assert.Equal(2, retries.Count(call => (int)call.GetTagItem("shard")! == 1));
        Assert.All(retries.Where(call => (int)call.GetTagItem("shard")! != 1), call => Assert.Equal("dpr-0", call.GetTagItem("replica")));
        Assert.All(retries.Where(call => (int)call.GetTagItem("shard")! == 1), call =>
        {
            Assert.Equal(ActivityStatusCode.Error, call.Status);
            Assert.Single(call.Events, e => e.Name == "replica_failed");
        });
        // Then one fetch of the hit's passage, from the replica that answered.
        List<Activity> fetches = Stopped(DprClusterTelemetry.Spans.ShardCall).Where(c => (string?)c.GetTagItem("operation") == "fetch").ToList();
        Assert.Equal(2, fetches.Count);
        Assert.All(fetches, fetch => Assert.Equal("dpr-0", fetch.GetTagItem("replica")));
        foreach (Activity search in searches)
        {
            Assert.Single(Stopped(DprClusterTelemetry.Spans.Encode), span => span.ParentSpanId == search.SpanId);
            Assert.Single(Stopped(DprClusterTelemetry.Spans.Merge), span => span.ParentSpanId == search.SpanId);
        }
    }

    [Fact]
    public async Task A_search_refused_by_a_full_encoder_queue_is_counted_as_rejected_and_fails_its_span()
    {
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 1, shards: 1, replicas: 1,
            encoder: () => new OverloadedEncoder());
        Clear();

        var error = await Assert.ThrowsAsync<ClusterException>(() => cluster.Coordinator.SearchAsync(new SearchRequest("q"), CancellationToken.None));

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
        await using OrleansCluster cluster = await OrleansCluster.StartAsync(silos: 1, shards: 1, replicas: 1);
        Clear();
        using (var caller = new Activity("unsampled caller"))
        {
            caller.SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);
            caller.Start();
            await cluster.Coordinator.SearchAsync(new SearchRequest("q"), CancellationToken.None);
        }

        lock (_stopped)
        {
            Assert.Empty(_stopped);
        }
        Assert.Equal(4, Measured(DprClusterTelemetry.Metrics.SearchDuration).Count);
    }

    private void Clear()
    {
        lock (_measurements)
        {
            _measurements.Clear();
        }
        lock (_stopped)
        {
            _stopped.Clear();
        }
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

    /// <summary>An encoder whose queue is always full, as the batching service reports it.</summary>
    private sealed class OverloadedEncoder : IEncoder
    {
        public int Dimension => 32;

        public void EncodeQueries(ReadOnlySpan<string> queries, Span<float> destination) => throw new EncoderOverloadedException(1);

        public void EncodePassages(ReadOnlySpan<PassageText> passages, Span<float> destination) => throw new EncoderOverloadedException(1);

        public void Dispose()
        {
        }
    }
}

/// <summary>The telemetry tests listen process-wide, so they must not overlap other clusters' searches.</summary>
[CollectionDefinition(nameof(CoordinatorTelemetryTests), DisableParallelization = true)]
public sealed class CoordinatorTelemetryCollection;
