using System.Diagnostics;
using DprCluster.Abstractions;
using DprCluster.Grains.Placement;
using DprCluster.Grains.Shard;
using DprCluster.Grains.Telemetry;
using DprCluster.Text;
using DprCluster.Text.Analysis;
using DprCluster.Text.Bm25;
using DprCluster.Text.Fusion;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace DprCluster.Grains.Coordinator;

/// <summary>
/// Stateless worker on gateway silos. A search encodes the question, gathers cluster-wide BM25 statistics when it
/// needs BM25 (the Elasticsearch DFS idea: sharded scores then equal unsharded ones), asks one live replica of every
/// shard in parallel under a deadline per replica call (the next replica when one fails), k-way merges, and fuses for
/// hybrid. The caller's deadline arrives as the grain call's cancellation token.
/// </summary>
[StatelessWorker, Reentrant]
public sealed partial class CoordinatorGrain : Grain, ICoordinatorGrain
{
    private readonly ClusterLayout _layout;
    private readonly CoordinatorOptions _options;
    private readonly IClusterMembershipService _membership;
    private readonly ISiloMetadataCache _metadata;
    private readonly EnglishAnalyzer _analyzer;
    private readonly ReplicaRef[][] _replicas;
    private readonly IShardSiloGrain[] _shardSilos;
    private uint _rotation;

    /// <summary>Creates a coordinator for the cluster <paramref name="layout"/> describes.</summary>
    public CoordinatorGrain(ClusterLayout layout, CoordinatorOptions options, IClusterMembershipService membership,
        ISiloMetadataCache metadata, IGrainFactory grains)
    {
        _layout = layout;
        _options = options;
        _membership = membership;
        _metadata = metadata;
        _analyzer = new EnglishAnalyzer(_options.Analyzer);
        ShardPlacement placement = layout.Placement;
        _replicas = new ReplicaRef[placement.ShardCount][];
        for (int shard = 0; shard < _replicas.Length; shard++)
        {
            var replicas = new ReplicaRef[placement.ReplicationFactor];
            for (int r = 0; r < replicas.Length; r++)
            {
                var key = new ShardReplicaKey(shard, r);
                int silo = placement.SiloOf(key);
                replicas[r] = new ReplicaRef(r, placement.SiloNames[silo], silo, grains.GetGrain<IShardReplicaGrain>(key.ToString()));
            }
            _replicas[shard] = replicas;
        }
        _shardSilos = new IShardSiloGrain[placement.SiloCount];
        for (int silo = 0; silo < _shardSilos.Length; silo++)
        {
            _shardSilos[silo] = grains.GetGrain<IShardSiloGrain>(new ShardSiloKey(silo).ToString());
        }
    }

    private ShardPlacement Placement => _layout.Placement;

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
            float[]? vector = request.Vector;
            if (request.Mode != SearchMode.Bm25 && vector is null)
            {
                using Activity? encode = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Encode);
                vector = (await EncodeQueriesAsync([request.Query], cancellationToken))[0];
            }
            long encoded = Stopwatch.GetTimestamp();

            QueryTerms? terms = request.Mode == SearchMode.Dense || string.IsNullOrWhiteSpace(request.Query)
                ? null
                : Bm25Messages.ToMessage(Bm25Query.Parse(request.Query, _analyzer));
            var failed = new SortedSet<int>();
            CollectionStatistics? statistics = null;
            if (terms is { Terms.Length: > 0 })
            {
                using Activity? gather = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Statistics);
                statistics = await GatherStatisticsAsync(terms, failed, cancellationToken);
            }
            long gathered = Stopwatch.GetTimestamp();

            int depth = request.Mode == SearchMode.Hybrid ? Math.Min(_options.MaxK, Math.Max(request.K, _options.HybridDepth)) : request.K;
            // Ids and scores only: of the S x depth candidates, only the final k are fetched with their text.
            var shardRequest = new ShardSearchRequest(vector, terms, statistics, depth, request.Ef ?? 0, IdsOnly: true);
            var answeredBy = new ShardCallTiming?[Placement.ShardCount];
            ShardSearchResponse?[] responses = await ScatterSearchAsync(shardRequest, failed, answeredBy, cancellationToken);
            long scattered = Stopwatch.GetTimestamp();

            List<(ScoredHit Hit, int Shard)> ranked;
            using (SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.Merge))
            {
                ranked = Merge(request, responses, depth);
            }
            long merged = Stopwatch.GetTimestamp();
            List<PassageHit> hits = request.IncludeText
                ? await FetchAsync(ranked, answeredBy, failed, cancellationToken)
                : ranked.ConvertAll(r => new PassageHit(r.Hit.Id, r.Hit.Score, string.Empty, string.Empty, r.Shard, null));
            long fetched = Stopwatch.GetTimestamp();
            bool partial = failed.Count > 0;
            CoordinatorTelemetry.RecordSearch(request.Mode, vector is not null, statistics is not null, started, encoded, gathered,
                scattered, merged, partial);
            span?.SetTag(nameof(partial), partial);
            var timings = new StageTimings(Ms(started, encoded), Ms(encoded, gathered), Ms(gathered, scattered) + Ms(merged, fetched),
                Ms(scattered, merged));
            var shardTimings = new List<ShardCallTiming>(answeredBy.Length);
            foreach (ShardCallTiming? answer in answeredBy)
            {
                if (answer is not null)
                {
                    shardTimings.Add(answer);
                }
            }
            return new SearchResponse([.. hits], Ms(started, fetched), timings, partial, [.. failed], [.. shardTimings]);
        }
        catch (Exception e)
        {
            CoordinatorTelemetry.RecordFailure(CoordinatorTelemetry.Search, span, e);
            throw;
        }
    }

    private void Validate(SearchRequest request)
    {
        if (request is null || (string.IsNullOrWhiteSpace(request.Query) && (request.Vector is null || request.Mode != SearchMode.Dense)))
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest,
                "query must be a non-empty string (only a dense search with a vector may leave it out)");
        }
        if (request.Vector is { } vector)
        {
            if (request.Mode == SearchMode.Bm25)
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, "a query vector needs mode dense or hybrid; bm25 scores the words only");
            }
            if (vector.Length == 0 || !Index.Vectors.VectorKernels.AllFinite(vector))
            {
                throw new ClusterException(ClusterErrorCodes.InvalidRequest, "vector must hold at least one number and only finite ones");
            }
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

    private async Task<CollectionStatistics> GatherStatisticsAsync(QueryTerms terms, SortedSet<int> failed, CancellationToken cancellationToken)
    {
        CollectionStatistics?[] parts = await ScatterAsync(CoordinatorTelemetry.Statistics,
            (grain, token) => grain.GetStatisticsAsync(terms.Terms, token), failed, cancellationToken);
        var available = new List<Bm25Statistics>(parts.Length);
        foreach (CollectionStatistics? part in parts)
        {
            if (part is not null)
            {
                available.Add(Bm25Messages.ToStatistics(part));
            }
        }
        return Bm25Messages.ToMessage(Bm25Statistics.Merge(available));
    }

    /// <summary>
    /// The search scatter: picks one replica of every shard (rotating, as <see cref="ScatterAsync"/> does), then calls
    /// each silo holding some of those replicas once for all of its shards (<see cref="IShardSiloGrain"/>), so the cost
    /// of a call is paid per silo, not per shard. A shard whose silo call or own search failed for want of a replica
    /// is retried alone on its other replicas; one still unanswered is added to <paramref name="failed"/>.
    /// </summary>
    private async Task<ShardSearchResponse?[]> ScatterSearchAsync(ShardSearchRequest request, SortedSet<int> failed,
        ShardCallTiming?[] answeredBy, CancellationToken cancellationToken)
    {
        int shards = Placement.ShardCount;
        uint start = Interlocked.Increment(ref _rotation);
        var bySilo = new List<int>?[_shardSilos.Length];
        for (int shard = 0; shard < shards; shard++)
        {
            ReplicaRef[] replicas = _replicas[shard];
            int silo = replicas[start % (uint)replicas.Length].SiloOrdinal;
            (bySilo[silo] ??= []).Add(shard);
        }
        var responses = new ShardSearchResponse?[shards];
        var calls = new List<Task>(bySilo.Length);
        for (int silo = 0; silo < bySilo.Length; silo++)
        {
            if (bySilo[silo] is { } held)
            {
                calls.Add(SearchSiloAsync(silo, [.. held], request, start, responses, answeredBy, cancellationToken));
            }
        }
        await Task.WhenAll(calls);
        for (int shard = 0; shard < shards; shard++)
        {
            if (responses[shard] is null)
            {
                lock (failed)
                {
                    failed.Add(shard);
                }
            }
        }
        return responses;
    }

    /// <summary>One silo's part of <see cref="ScatterSearchAsync"/>: one call for its shards, then the failed ones alone elsewhere.</summary>
    private async Task SearchSiloAsync(int silo, int[] shards, ShardSearchRequest request, uint start, ShardSearchResponse?[] responses,
        ShardCallTiming?[] answeredBy, CancellationToken cancellationToken)
    {
        long called = Stopwatch.GetTimestamp();
        ShardSearchOutcome[]? outcomes = null;
        Exception? siloError = null;
        using (Activity? span = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.ShardCall))
        {
            span?.SetTag(DprClusterTelemetry.Attributes.Operation, CoordinatorTelemetry.Search);
            span?.SetTag(DprClusterTelemetry.Attributes.Replica, Placement.SiloNames[silo]);
            span?.SetTag(DprClusterTelemetry.Attributes.Shards, shards.Length);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.ShardTimeout);
            try
            {
                outcomes = await _shardSilos[silo].SearchAsync(shards, request, deadline.Token);
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
                // Unreachable, timed out or shutting down: every shard of this silo is retried on its other replicas.
                siloError = e;
                span?.SetStatus(ActivityStatusCode.Error, e.Message);
            }
        }
        double ms = Ms(called, Stopwatch.GetTimestamp());
        List<Task>? retries = null;
        for (int i = 0; i < shards.Length; i++)
        {
            int shard = shards[i];
            ReplicaRef replica = _replicas[shard][start % (uint)_replicas[shard].Length];
            ShardSearchOutcome? outcome = outcomes?[i];
            if (outcome?.Response is { } response)
            {
                responses[shard] = response;
                answeredBy[shard] = new ShardCallTiming(shard, replica.Replica, replica.Silo, ms);
                continue;
            }
            if (outcome?.ErrorCode is { } code && !IsUnavailability(code))
            {
                throw new ClusterException(code, outcome.ErrorMessage ?? code);
            }
            CoordinatorTelemetry.RecordReplicaFailure(CoordinatorTelemetry.Search, shard, replica.Silo,
                siloError ?? new ClusterException(outcome?.ErrorCode ?? ClusterErrorCodes.ShardUnavailable, outcome?.ErrorMessage ?? "no answer"), null);
            if (_replicas[shard].Length > 1)
            {
                (retries ??= []).Add(RetryShardAsync(shard, request, start + 1, responses, answeredBy, cancellationToken));
            }
        }
        if (retries is not null)
        {
            await Task.WhenAll(retries);
        }
    }

    private async Task RetryShardAsync(int shard, ShardSearchRequest request, uint start, ShardSearchResponse?[] responses,
        ShardCallTiming?[] answeredBy, CancellationToken cancellationToken) =>
        responses[shard] = await CallOneReplicaAsync(CoordinatorTelemetry.Search, shard, start,
            (grain, token) => grain.SearchAsync(request, token), cancellationToken, answeredBy, attempts: _replicas[shard].Length - 1);

    /// <summary>
    /// Calls every shard once, on one replica (rotating the first choice to spread load, falling back to the next on
    /// failure); a shard none of whose replicas answered is added to <paramref name="failed"/> and yields null.
    /// Errors in the request itself (a ClusterException other than unavailability) are rethrown.
    /// </summary>
    private async Task<T?[]> ScatterAsync<T>(string operation, Func<IShardReplicaGrain, CancellationToken, Task<T>> call, SortedSet<int> failed,
        CancellationToken cancellationToken, ShardCallTiming?[]? answeredBy = null) where T : class
    {
        int shards = Placement.ShardCount;
        var tasks = new Task<T?>[shards];
        // Unsigned, so the rotation wraps around instead of going negative after 2^31 scatters.
        uint start = Interlocked.Increment(ref _rotation);
        for (int shard = 0; shard < shards; shard++)
        {
            tasks[shard] = CallOneReplicaAsync(operation, shard, start, call, cancellationToken, answeredBy);
        }
        T?[] results = await Task.WhenAll(tasks);
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

    private async Task<T?> CallOneReplicaAsync<T>(string operation, int shard, uint start, Func<IShardReplicaGrain, CancellationToken, Task<T>> call,
        CancellationToken cancellationToken, ShardCallTiming?[]? answeredBy = null, int? attempts = null) where T : class
    {
        long called = Stopwatch.GetTimestamp();
        using Activity? span = SampledSpans.Start(CoordinatorTelemetry.Source, DprClusterTelemetry.Spans.ShardCall);
        span?.SetTag(DprClusterTelemetry.Attributes.Operation, operation);
        span?.SetTag(DprClusterTelemetry.Attributes.Shard, shard);
        ReplicaRef[] replicas = _replicas[shard];
        for (int attempt = 0; attempt < (attempts ?? replicas.Length); attempt++)
        {
            ReplicaRef replica = replicas[(start + (uint)attempt) % (uint)replicas.Length];
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.ShardTimeout);
            try
            {
                T answer = await call(replica.Grain, deadline.Token);
                span?.SetTag(DprClusterTelemetry.Attributes.Replica, replica.Silo);
                if (answeredBy is not null)
                {
                    answeredBy[shard] = new ShardCallTiming(shard, replica.Replica, replica.Silo, Ms(called, Stopwatch.GetTimestamp()));
                }
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
        or ClusterErrorCodes.ShardRecovering or ClusterErrorCodes.ShardCatchingUp or ClusterErrorCodes.ShardFailed or ClusterErrorCodes.DeadlineExceeded
        or ClusterErrorCodes.Internal;

    private static List<(ScoredHit Hit, int Shard)> Merge(SearchRequest request, ShardSearchResponse?[] responses, int depth)
    {
        if (request.Mode != SearchMode.Hybrid)
        {
            return ShardListMerge.Merge(responses, request.Mode == SearchMode.Bm25, request.K);
        }
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
        // Each list cut to the depth one unsharded index would return, so the fusion (min-max normalisation included)
        // sees the same candidates however many shards there are.
        List<ScoredHit> ranked = Fuse(request, RankedListMerge.Merge(denseLists, depth), RankedListMerge.Merge(bm25Lists, depth));
        var hits = new List<(ScoredHit, int)>(ranked.Count);
        foreach (ScoredHit hit in ranked)
        {
            hits.Add((hit, found[hit.Id].Shard));
        }
        return hits;
    }

    /// <summary>
    /// The final hits with their stored passages, fetched from one replica of each shard that holds some. A passage
    /// deleted since the search is left out; a shard whose replicas all fail the fetch is reported like a failed search.
    /// </summary>
    private async Task<List<PassageHit>> FetchAsync(List<(ScoredHit Hit, int Shard)> ranked, ShardCallTiming?[] answeredBy, SortedSet<int> failed,
        CancellationToken cancellationToken)
    {
        var byShard = new Dictionary<int, List<string>>();
        foreach ((ScoredHit hit, int shard) in ranked)
        {
            if (!byShard.TryGetValue(shard, out List<string>? ids))
            {
                byShard[shard] = ids = [];
            }
            ids.Add(hit.Id);
        }
        var fetches = new Dictionary<int, Task<Passage?[]?>>(byShard.Count);
        foreach ((int shard, List<string> ids) in byShard)
        {
            string[] wanted = [.. ids];
            // The replica that just answered the search first: it is alive and holds exactly these hits.
            fetches[shard] = CallOneReplicaAsync<Passage?[]>(CoordinatorTelemetry.Fetch, shard, (uint)(answeredBy[shard]?.Replica ?? 0),
                (grain, token) => grain.FetchAsync(wanted, token), cancellationToken);
        }
        await Task.WhenAll(fetches.Values);
        var passages = new Dictionary<string, Passage>(ranked.Count, StringComparer.Ordinal);
        foreach ((int shard, Task<Passage?[]?> fetch) in fetches)
        {
            if (fetch.Result is not { } answer)
            {
                failed.Add(shard);
                continue;
            }
            foreach (Passage? passage in answer)
            {
                if (passage is not null)
                {
                    passages[passage.Id] = passage;
                }
            }
        }
        var hits = new List<PassageHit>(ranked.Count);
        foreach ((ScoredHit hit, int shard) in ranked)
        {
            if (passages.TryGetValue(hit.Id, out Passage? passage))
            {
                hits.Add(new PassageHit(hit.Id, hit.Score, passage.Title, passage.Text, shard, passage.Metadata));
            }
        }
        return hits;
    }

    private static List<ScoredHit> Fuse(SearchRequest request, List<ScoredHit> dense, List<ScoredHit> bm25)
    {
        if (dense.Count == 0 && bm25.Count == 0)
        {
            return [];
        }
        return request.Fusion switch
        {
            FusionMethod.Linear => LinearFusion.DprHybrid(bm25, dense, request.K),
            FusionMethod.Rrf => ReciprocalRankFusion.Fuse([dense, bm25], request.K),
            _ => LinearFusion.Normalized(bm25, dense, request.K),
        };
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

    /// <summary>A replica's grain reference with its index and the name and ordinal of the silo that holds its data.</summary>
    private sealed record ReplicaRef(int Replica, string Silo, int SiloOrdinal, IShardReplicaGrain Grain);
}
