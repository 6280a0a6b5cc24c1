using System.Buffers;
using System.Diagnostics;
using DprCluster.Abstractions;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Grains.Telemetry;
using DprCluster.Index;
using DprCluster.Text;
using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Shard;

public sealed partial class ShardReplica
{
    /// <summary>Dense and/or BM25 top-k over this shard.</summary>
    public Task<ShardSearchResponse> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken)
    {
        ShardContents data = Serving();
        ArgumentNullException.ThrowIfNull(request);
        long started = Stopwatch.GetTimestamp();
        using Activity? span = StartSpan(DprClusterTelemetry.Spans.ShardSearch);
        span?.SetTag(DprClusterTelemetry.Attributes.K, request.K);
        if (request.K < 1 || request.K > _options.MaxK)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"k must be between 1 and {_options.MaxK}, got {request.K}");
        }
        if (request.Ef < 0)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"ef must not be negative, got {request.Ef}");
        }
        ShardHit[] dense = request.Vector is null ? [] : SearchDense(data, request.Vector, request.K, request.Ef, request.IdsOnly);
        ShardHit[] bm25 = request.Terms is null || request.Terms.Terms.Length == 0
            ? []
            : Resolve(data, data.Postings.Search(Bm25Messages.ToQuery(request.Terms), request.K,
                request.Statistics is null ? null : Bm25Messages.ToStatistics(request.Statistics)), request.IdsOnly);
        ShardTelemetry.RecordSearch(ShardTag, started);
        return Task.FromResult(new ShardSearchResponse(ShardId, dense, bm25));
    }

    /// <summary>Collection statistics for <paramref name="terms"/>, merged by the coordinator into cluster-wide IDF.</summary>
    public Task<CollectionStatistics> GetStatisticsAsync(string[] terms, CancellationToken cancellationToken)
    {
        ShardContents data = Serving();
        ArgumentNullException.ThrowIfNull(terms);
        using Activity? span = StartSpan(DprClusterTelemetry.Spans.ShardStatistics);
        return Task.FromResult(Bm25Messages.ToMessage(data.Postings.ExportStatistics(terms)));
    }

    private ShardHit[] SearchDense(ShardContents data, float[] vector, int k, int ef, bool idsOnly)
    {
        if (vector.Length != _options.Dimensions)
        {
            throw new ClusterException(ClusterErrorCodes.DimensionMismatch,
                $"query vector has {vector.Length} dimensions; shard {ShardId} stores {_options.Dimensions}");
        }
        if (!Index.Vectors.VectorKernels.AllFinite(vector))
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "query vector has NaN or infinite values");
        }
        SearchHit[] hits = ArrayPool<SearchHit>.Shared.Rent(k);
        try
        {
            int found = data.Vectors.Search(vector, k, ef == 0 ? _options.EfSearch : ef, hits, out int visited);
            ShardTelemetry.RecordVisitedNodes(ShardTag, visited);
            // The probe measures the graph: with writes still buffered the answer is not the graph's alone.
            if (data.Vectors.Unindexed == 0 && _recallProbe.TryTake())
            {
                _recallProbe.Measure(data.Vectors.Graph, vector, k, hits.AsSpan(0, found));
            }
            var result = new ShardHit[found];
            int kept = 0;
            for (int i = 0; i < found; i++)
            {
                // A passage deleted after the graph answered is simply left out.
                if (data.Passages.GetByKey(hits[i].Id) is { } passage)
                {
                    result[kept++] = Hit(passage, hits[i].Score, idsOnly);
                }
            }
            return kept == found ? result : result[..kept];
        }
        finally
        {
            ArrayPool<SearchHit>.Shared.Return(hits);
        }
    }

    private static ShardHit[] Resolve(ShardContents data, IReadOnlyList<ScoredHit> hits, bool idsOnly)
    {
        var result = new List<ShardHit>(hits.Count);
        foreach (ScoredHit hit in hits)
        {
            if (data.Passages.Get(hit.Id) is { } passage)
            {
                result.Add(Hit(passage, hit.Score, idsOnly));
            }
        }
        return [.. result];
    }

    private static ShardHit Hit(Passage passage, float score, bool idsOnly) => idsOnly
        ? new ShardHit(passage.Id, score, string.Empty, string.Empty, null)
        : new ShardHit(passage.Id, score, passage.Title, passage.Text, passage.Metadata);
}
