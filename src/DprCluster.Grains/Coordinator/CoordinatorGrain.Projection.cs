using System.Numerics.Tensors;
using DprCluster.Abstractions;
using DprCluster.Core.Hashing;
using DprCluster.Grains.Telemetry;
using DprCluster.Index.Vectors;

namespace DprCluster.Grains.Coordinator;

public sealed partial class CoordinatorGrain
{
    /// <summary>Characters of passage text a projected point carries: enough for a hover, not a whole passage.</summary>
    private const int ProjectedTextChars = 300;

    /// <summary>Most hits, judged ids and sampled passages one projection takes.</summary>
    private const int MaxProjectedPassages = 1000;

    /// <inheritdoc />
    public async Task<ProjectionResponse> ProjectAsync(ProjectionRequest request, CancellationToken cancellationToken)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.Query) || request.Judged is null)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, "query must be a non-empty string");
        }
        if (request.K < 1 || request.Sample < 0 || request.K + request.Sample + request.Judged.Length > MaxProjectedPassages)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest,
                $"k ≥ 1, sample ≥ 0 and k + sample + judged ids ≤ {MaxProjectedPassages}");
        }
        float[] question = (await EncodeQueriesAsync([request.Query], cancellationToken))[0];
        SearchResponse search = await SearchAsync(new SearchRequest(request.Query, request.K, SearchMode.Dense, IncludeText: false),
            cancellationToken);

        var wanted = new List<string>[Placement.ShardCount];
        for (int shard = 0; shard < wanted.Length; shard++)
        {
            wanted[shard] = [];
        }
        var kinds = new Dictionary<string, ProjectedKind>(StringComparer.Ordinal);
        foreach (PassageHit hit in search.Hits)
        {
            kinds[hit.Id] = ProjectedKind.Hit;
            wanted[hit.Shard].Add(hit.Id);
        }
        foreach (string id in request.Judged)
        {
            if (id is not null && kinds.TryAdd(id, ProjectedKind.Judged))
            {
                wanted[Placement.ShardOf(id)].Add(id);
            }
        }
        var failed = new SortedSet<int>(search.FailedShards);
        var reads = new Task<ShardVector[]?>[wanted.Length];
        for (int shard = 0; shard < wanted.Length; shard++)
        {
            // The sample is spread evenly; the seed is a stable hash of the question, so the same question draws the same passages.
            int sample = request.Sample / wanted.Length + (shard < request.Sample % wanted.Length ? 1 : 0);
            var read = new ShardVectorsRequest([.. wanted[shard]], sample, (int)(PassageIdHash.Hash64(request.Query) & 0x3FFFFFFF) + shard);
            reads[shard] = CallOneReplicaAsync<ShardVector[]>(CoordinatorTelemetry.Fetch, shard, (uint)shard,
                (grain, token) => grain.VectorsAsync(read, token), cancellationToken);
        }
        await Task.WhenAll(reads);

        var rows = new List<float[]> { question };
        var points = new List<(ProjectedKind Kind, Passage? Passage, float Score)> { (ProjectedKind.Query, null, 0) };
        for (int shard = 0; shard < reads.Length; shard++)
        {
            if (reads[shard].Result is not { } vectors)
            {
                failed.Add(shard);
                continue;
            }
            foreach (ShardVector vector in vectors)
            {
                ProjectedKind kind = vector.Sampled ? ProjectedKind.Sample : kinds[vector.Passage.Id];
                rows.Add(vector.Vector);
                points.Add((kind, vector.Passage, TensorPrimitives.Dot(question, vector.Vector)));
            }
        }
        (float[] coordinates, float[] explained) = PrincipalComponents.Project2D(rows);
        var projected = new ProjectedPoint[points.Count];
        for (int i = 0; i < points.Count; i++)
        {
            (ProjectedKind kind, Passage? passage, float score) = points[i];
            string text = passage?.Text ?? string.Empty;
            projected[i] = new ProjectedPoint(kind, passage?.Id, passage?.Title ?? request.Query,
                text.Length > ProjectedTextChars ? text[..ProjectedTextChars] + "…" : text, coordinates[2 * i], coordinates[2 * i + 1], score);
        }
        return new ProjectionResponse(projected, explained, failed.Count > 0);
    }
}
