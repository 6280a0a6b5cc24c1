using System.Diagnostics;
using System.Diagnostics.Metrics;
using DprCluster.Abstractions;
using static DprCluster.Grains.Telemetry.DprClusterTelemetry;

namespace DprCluster.Grains.Telemetry;

/// <summary>The coordinator's source and meter: search stage latencies, partial answers, replica failures, ingest.</summary>
internal static class CoordinatorTelemetry
{
    public static readonly ActivitySource Source = new(Components.Coordinator, InstrumentationVersion);

    private static readonly Meter Meter = new(Components.Coordinator, InstrumentationVersion);

    private static readonly Histogram<double> SearchDuration = Meter.CreateHistogram(Metrics.SearchDuration, "s",
        "Duration of a search by mode and stage; stage 'total' is the whole search.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Counter<long> SearchPartial = Meter.CreateCounter<long>(Metrics.SearchPartial, "{search}",
        "Searches answered without some shard because none of its replicas answered.");

    private static readonly Counter<long> ReplicaFailures = Meter.CreateCounter<long>(Metrics.ReplicaFailures, "{failure}",
        "Calls to one shard replica that failed; searches then try the next replica.");

    private static readonly Counter<long> RequestsRejected = Meter.CreateCounter<long>(Metrics.RequestsRejected, "{request}",
        "Requests refused because the encoder's queue was full.");

    private static readonly Counter<long> IngestPassages = Meter.CreateCounter<long>(Metrics.IngestPassages, "{passage}",
        "Passages upserted or deleted through the coordinator.");

    private static readonly Counter<long> IngestBytes = Meter.CreateCounter<long>(Metrics.IngestBytes, "By",
        "UTF-8 bytes of the titles and texts upserted.");

    /// <summary>Operation names used as <see cref="Attributes.Operation"/> values.</summary>
    public const string Search = "search";

    /// <inheritdoc cref="Search"/>
    public const string Statistics = "statistics";

    /// <inheritdoc cref="Search"/>
    public const string Upsert = "upsert";

    /// <inheritdoc cref="Search"/>
    public const string Delete = "delete";

    /// <inheritdoc cref="Search"/>
    public const string Get = "get";

    /// <inheritdoc cref="Search"/>
    public const string Fetch = "fetch";

    public static string ModeName(SearchMode mode) => mode switch
    {
        SearchMode.Dense => "dense",
        SearchMode.Bm25 => "bm25",
        _ => "hybrid",
    };

    /// <summary>Records the stages a search ran (encode only with a vector, statistics only with BM25 terms) and its total.</summary>
    public static void RecordSearch(SearchMode mode, bool encoded, bool gathered, long started, long encodeEnd, long gatherEnd,
        long scatterEnd, long mergeEnd, bool partial)
    {
        if (!SearchDuration.Enabled)
        {
            return;
        }
        string name = ModeName(mode);
        if (encoded)
        {
            RecordStage(name, Stages.Encode, started, encodeEnd);
        }
        if (gathered)
        {
            RecordStage(name, Stages.Statistics, encodeEnd, gatherEnd);
        }
        RecordStage(name, Stages.Shards, gatherEnd, scatterEnd);
        RecordStage(name, Stages.Merge, scatterEnd, mergeEnd);
        RecordStage(name, Stages.Total, started, mergeEnd);
        if (partial)
        {
            SearchPartial.Add(1, new KeyValuePair<string, object?>(Attributes.Mode, name));
        }
    }

    /// <summary>Counts a failed replica call; a null <paramref name="error"/> is a call that was cancelled.</summary>
    public static void RecordReplicaFailure(string operation, int shard, string replica, Exception? error, Activity? span)
    {
        string type = ErrorTypeOf(error);
        ReplicaFailures.Add(1, new TagList
        {
            { Attributes.Operation, operation },
            { Attributes.Shard, shard },
            { Attributes.Replica, replica },
            { Attributes.ErrorType, type },
        });
        span?.AddEvent(new ActivityEvent("replica_failed", tags: new ActivityTagsCollection
        {
            { Attributes.Replica, replica },
            { Attributes.ErrorType, type },
            { "exception.message", error?.Message ?? "cancelled" },
        }));
    }

    public static void RecordUpserted(IReadOnlyList<Passage> passages)
    {
        if (!IngestBytes.Enabled && !IngestPassages.Enabled)
        {
            return;
        }
        long bytes = 0;
        foreach (Passage passage in passages)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount(passage.Title ?? "") + System.Text.Encoding.UTF8.GetByteCount(passage.Text);
        }
        IngestPassages.Add(passages.Count, new KeyValuePair<string, object?>(Attributes.Operation, Upsert));
        IngestBytes.Add(bytes);
    }

    public static void RecordDeleted(int count) =>
        IngestPassages.Add(count, new KeyValuePair<string, object?>(Attributes.Operation, Delete));

    /// <summary>
    /// Marks <paramref name="span"/> failed with the cluster error code of <paramref name="error"/>, and counts the
    /// request as rejected when the encoder was overloaded.
    /// </summary>
    public static void RecordFailure(string operation, Activity? span, Exception error)
    {
        if (error is ClusterException { Code: ClusterErrorCodes.Overloaded })
        {
            RequestsRejected.Add(1, new KeyValuePair<string, object?>(Attributes.Operation, operation));
        }
        if (span is not null)
        {
            span.SetTag(Attributes.ErrorType, ErrorTypeOf(error));
            span.SetStatus(ActivityStatusCode.Error, error.Message);
        }
    }

    /// <summary>The stable cluster code of a failure (timeouts are deadline_exceeded), else the exception's type.</summary>
    public static string ErrorTypeOf(Exception? error) => error switch
    {
        ClusterException cluster => cluster.Code,
        null or OperationCanceledException or TimeoutException => ClusterErrorCodes.DeadlineExceeded,
        _ => error.GetType().FullName ?? ClusterErrorCodes.Internal,
    };

    private static void RecordStage(string mode, string stage, long from, long to) =>
        SearchDuration.Record(Stopwatch.GetElapsedTime(from, to).TotalSeconds, new TagList
        {
            { Attributes.Mode, mode },
            { Attributes.Stage, stage },
        });
}
