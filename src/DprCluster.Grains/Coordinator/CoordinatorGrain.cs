using System.Diagnostics;
using DprCluster.Grains.Contracts;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Telemetry;
using DprCluster.Text;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Text.Fusion;

namespace DprCluster.Grains.Coordinator;

/// <summary>
/// Stateless worker on gateway silos. A search encodes the question, gathers cluster-wide BM25 statistics when it
/// needs BM25 (the Elasticsearch DFS idea: sharded scores then equal unsharded ones), asks one live replica of every
/// shard in parallel under a deadline (the next replica when one fails), k-way merges, and fuses for hybrid.
/// </summary>
public sealed partial class CoordinatorGrain : ICoordinatorGrain
{
    private readonly IGrainDirectory _directory;
    private readonly CoordinatorOptions _options;
    private readonly EnglishAnalyzer _analyzer;
    private int _rotation;

    /// <summary>Creates a coordinator over the grains <paramref name="directory"/> resolves.</summary>
    public CoordinatorGrain(IGrainDirectory directory, CoordinatorOptions? options = null)
    {
        _directory = directory;
        _options = options ?? new CoordinatorOptions();
        _analyzer = new EnglishAnalyzer(_options.Analyzer);
    }

    /// <inheritdoc />
    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        using Activity? span = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Search);
        span?.SetTag(DprClusterTelemetry.Attributes.Mode, CoordinatorTelemetry.ModeName(request.Mode));
        span?.SetTag(DprClusterTelemetry.Attributes.K, request.K);
        try
        {
            long started = Stopwatch.GetTimestamp();
            float[]? vector = null;
            if (request.Mode != SearchMode.Bm25)
            {
                using Activity? encode = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Encode);
                vector = (await _directory.Encoder.EncodeQueriesAsync([request.Query], cancellationToken).ConfigureAwait(false))[0];
            }
            long encoded = Stopwatch.GetTimestamp();

            Bm25Query? terms = request.Mode == SearchMode.Dense ? null : Bm25Query.Parse(request.Query, _analyzer);
            var failed = new SortedSet<int>();
            Bm25Statistics? statistics = null;
            if (terms is { IsEmpty: false })
            {
                using Activity? gather = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Statistics);
                statistics = await GatherStatisticsAsync(terms, failed, cancellationToken).ConfigureAwait(false);
            }
            long gathered = Stopwatch.GetTimestamp();

            int depth = request.Mode == SearchMode.Hybrid ? Math.Min(_options.MaxK, Math.Max(request.K, _options.HybridDepth)) : request.K;
            var shardRequest = new ShardSearchRequest(vector, terms, statistics, depth, request.Ef ?? 0);
            ShardSearchResponse?[] responses = await ScatterAsync(CoordinatorTelemetry.Search,
                (grain, token) => grain.SearchAsync(shardRequest, token), failed, cancellationToken).ConfigureAwait(false);
            long scattered = Stopwatch.GetTimestamp();

            List<PassageHit> hits;
            using (SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Merge))
            {
                hits = Merge(request, responses);
            }
            long merged = Stopwatch.GetTimestamp();
            bool partial = failed.Count > 0;
            CoordinatorTelemetry.RecordSearch(request.Mode, vector is not null, statistics is not null, started, encoded, gathered,
                scattered, merged, partial);
            span?.SetTag(nameof(partial), partial);
            var timings = new StageTimings(Ms(started, encoded), Ms(encoded, gathered), Ms(gathered, scattered), Ms(scattered, merged));
            return new SearchResponse(hits, Ms(started, merged), timings, partial, [.. failed]);
        }
        catch (Exception e)
        {
            CoordinatorTelemetry.RecordFailure(CoordinatorTelemetry.Search, span, e);
            throw;
        }
    }

    private void Validate(SearchRequest request)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.Query))
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "query must be a non-empty string");
        }
        if (request.K < 1 || request.K > _options.MaxK)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"k must be between 1 and {_options.MaxK}, got {request.K}");
        }
        if (request.Ef is < 1)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"ef must be at least 1, got {request.Ef}");
        }
        if (!Enum.IsDefined(request.Mode) || !Enum.IsDefined(request.Fusion))
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "unknown search mode or fusion method");
        }
    }

    private async Task<Bm25Statistics> GatherStatisticsAsync(Bm25Query terms, SortedSet<int> failed, CancellationToken cancellationToken)
    {
        Bm25Statistics?[] parts = await ScatterAsync(CoordinatorTelemetry.Statistics,
            (grain, token) => grain.GetStatisticsAsync(terms.Terms, token), failed, cancellationToken).ConfigureAwait(false);
        var available = new List<Bm25Statistics>(parts.Length);
        foreach (Bm25Statistics? part in parts)
        {
            if (part is not null)
            {
                available.Add(part);
            }
        }
        return Bm25Statistics.Merge(available);
    }

    /// <summary>
    /// Calls every shard once, on one replica (rotating the first choice to spread load, falling back to the next on
    /// failure); a shard none of whose replicas answered is added to <paramref name="failed"/> and yields null.
    /// Errors in the request itself (a ClusterException other than unavailability) are rethrown.
    /// </summary>
    private async Task<T?[]> ScatterAsync<T>(string operation, Func<IShardGrain, CancellationToken, Task<T>> call, SortedSet<int> failed,
        CancellationToken cancellationToken) where T : class
    {
        int shards = _directory.Placement.ShardCount;
        var tasks = new Task<T?>[shards];
        int start = Interlocked.Increment(ref _rotation);
        for (int shard = 0; shard < shards; shard++)
        {
            tasks[shard] = CallOneReplicaAsync(operation, shard, start, call, cancellationToken);
        }
        T?[] results = await Task.WhenAll(tasks).ConfigureAwait(false);
        for (int shard = 0; shard < shards; shard++)
        {
            if (results[shard] is null)
            {
                lock (failed)
                {
                    failed.Add(shard);
                }
            }
        }
        return results;
    }

    private async Task<T?> CallOneReplicaAsync<T>(string operation, int shard, int start, Func<IShardGrain, CancellationToken, Task<T>> call,
        CancellationToken cancellationToken) where T : class
    {
        using Activity? span = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.ShardCall);
        span?.SetTag(DprClusterTelemetry.Attributes.Operation, operation);
        span?.SetTag(DprClusterTelemetry.Attributes.Shard, shard);
        IReadOnlyList<ShardReplica> replicas = _directory.ReplicasOf(shard);
        for (int attempt = 0; attempt < replicas.Count; attempt++)
        {
            ShardReplica replica = replicas[(start + attempt) % replicas.Count];
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.ShardTimeout);
            try
            {
                T answer = await call(replica.Grain, deadline.Token).ConfigureAwait(false);
                span?.SetTag(DprClusterTelemetry.Attributes.Replica, replica.Silo);
                return answer;
            }
            catch (ClusterException e) when (!IsUnavailability(e.Code))
            {
                throw;
            }
            catch (Exception e) when (e is not ClusterException && cancellationToken.IsCancellationRequested)
            {
                throw new ClusterException(ClusterErrorCodes.DeadlineExceeded, "the request was cancelled or ran past its deadline", e);
            }
            catch (Exception e)
            {
                // Unreachable, timed out, recovering or failed: try the next replica.
                CoordinatorTelemetry.RecordReplicaFailure(operation, shard, replica.Silo, e, span);
            }
        }
        span?.SetStatus(ActivityStatusCode.Error, "no replica answered");
        return null;
    }

    private static bool IsUnavailability(string code) => code is ClusterErrorCodes.ShardUnavailable
        or ClusterErrorCodes.ShardRecovering or ClusterErrorCodes.ShardFailed or ClusterErrorCodes.DeadlineExceeded
        or ClusterErrorCodes.Internal;

    private List<PassageHit> Merge(SearchRequest request, ShardSearchResponse?[] responses)
    {
        var found = new Dictionary<string, (ShardHit Hit, int Shard)>(StringComparer.Ordinal);
        var denseLists = new List<IReadOnlyList<ScoredHit>>();
        var bm25Lists = new List<IReadOnlyList<ScoredHit>>();
        foreach (ShardSearchResponse? response in responses)
        {
            if (response is null)
            {
                continue;
            }
            denseLists.Add(Collect(response.Dense, response.ShardId, found));
            bm25Lists.Add(Collect(response.Bm25, response.ShardId, found));
        }
        List<ScoredHit> ranked = request.Mode switch
        {
            SearchMode.Dense => RankedListMerge.Merge(denseLists, request.K),
            SearchMode.Bm25 => RankedListMerge.Merge(bm25Lists, request.K),
            _ => Fuse(request, RankedListMerge.Merge(denseLists, int.MaxValue), RankedListMerge.Merge(bm25Lists, int.MaxValue)),
        };
        var hits = new List<PassageHit>(ranked.Count);
        foreach (ScoredHit hit in ranked)
        {
            (ShardHit stored, int shard) = found[hit.Id];
            hits.Add(new PassageHit(hit.Id, hit.Score, stored.Title, stored.Text, shard, stored.Metadata));
        }
        return hits;
    }

    private static List<ScoredHit> Fuse(SearchRequest request, List<ScoredHit> dense, List<ScoredHit> bm25)
    {
        if (dense.Count == 0 && bm25.Count == 0)
        {
            return [];
        }
        return request.Fusion == FusionMethod.Linear
            ? LinearFusion.DprHybrid(bm25, dense, request.K)
            : ReciprocalRankFusion.Fuse([dense, bm25], request.K);
    }

    private static List<ScoredHit> Collect(IReadOnlyList<ShardHit> hits, int shard, Dictionary<string, (ShardHit, int)> found)
    {
        var list = new List<ScoredHit>(hits.Count);
        foreach (ShardHit hit in hits)
        {
            list.Add(new ScoredHit(hit.Id, hit.Score));
            found[hit.Id] = (hit, shard);
        }
        return list;
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
