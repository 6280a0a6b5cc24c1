using System.Buffers;
using System.Diagnostics;
using DprCluster.Grains.Contracts;
using DprCluster.Grains.Shard.Storage;
using DprCluster.Grains.Telemetry;
using DprCluster.Index;
using DprCluster.Text;
using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Shard;

public sealed partial class ShardGrain
{
    /// <inheritdoc />
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
        IReadOnlyList<ShardHit> dense = request.Vector is null ? [] : SearchDense(data, request.Vector, request.K, request.Ef);
        IReadOnlyList<ShardHit> bm25 = request.Terms is null || request.Terms.IsEmpty
            ? []
            : Resolve(data, data.Postings.Search(request.Terms, request.K, request.Statistics));
        ShardTelemetry.RecordSearch(ShardTag, started);
        return Task.FromResult(new ShardSearchResponse(ShardId, dense, bm25));
    }

    /// <inheritdoc />
    public Task<Bm25Statistics> GetStatisticsAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        ShardContents data = Serving();
        using Activity? span = StartSpan(DprClusterTelemetry.Spans.ShardStatistics);
        return Task.FromResult(data.Postings.ExportStatistics(terms));
    }

    private List<ShardHit> SearchDense(ShardContents data, float[] vector, int k, int ef)
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
            if (_recallProbe.TryTake())
            {
                _recallProbe.Measure(data.Vectors, vector, k, hits.AsSpan(0, found));
            }
            var result = new List<ShardHit>(found);
            for (int i = 0; i < found; i++)
            {
                // A passage deleted after the graph answered is simply left out.
                if (data.Passages.GetByKey(hits[i].Id) is { } passage)
                {
                    result.Add(new ShardHit(passage.Id, hits[i].Score, passage.Title, passage.Text, passage.Metadata));
                }
            }
            return result;
        }
        finally
        {
            ArrayPool<SearchHit>.Shared.Return(hits);
        }
    }

    private static List<ShardHit> Resolve(ShardContents data, IReadOnlyList<ScoredHit> hits)
    {
        var result = new List<ShardHit>(hits.Count);
        foreach (ScoredHit hit in hits)
        {
            if (data.Passages.Get(hit.Id) is { } passage)
            {
                result.Add(new ShardHit(passage.Id, hit.Score, passage.Title, passage.Text, passage.Metadata));
            }
        }
        return result;
    }
}
