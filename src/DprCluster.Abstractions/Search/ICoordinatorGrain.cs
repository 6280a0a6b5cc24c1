namespace DprCluster.Abstractions;

/// <summary>
/// Stateless worker on gateway silos: encodes, scatters to one live replica of every shard, merges and fuses; routes
/// writes to every replica of the owning shard.
/// </summary>
public interface ICoordinatorGrain : IGrainWithIntegerKey
{
    /// <summary>Runs one search.</summary>
    Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces passages; returns once they are durable and visible on the replicas.</summary>
    Task<UpsertResponse> UpsertAsync(Passage[] passages, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts or replaces passages that bring their own vectors (computed offline); the encoder is not called. Passages
    /// every replica already stores with the same content are skipped, so a resent import costs nothing twice.
    /// </summary>
    Task<UpsertResponse> ImportAsync(EncodedPassage[] passages, CancellationToken cancellationToken);

    /// <summary>Deletes a passage; false when no replica had it.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>A passage from a live replica of its shard, or null.</summary>
    Task<Passage?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>A 2-D principal-component picture of a question, its hits, judged passages and a sample of passages.</summary>
    Task<ProjectionResponse> ProjectAsync(ProjectionRequest request, CancellationToken cancellationToken);

    /// <summary>Silos, shards, replicas and their counts and states.</summary>
    Task<ClusterStatus> GetClusterAsync(CancellationToken cancellationToken);
}
