using DprCluster.Cli.Evaluation;
using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Client;
using DprCluster.Text;

namespace DprCluster.Cli.Cluster;

/// <summary>
/// <c>dprcluster eval --url</c>: retrieval by a running cluster through its REST API, for dense, BM25 or hybrid
/// search. The cluster must already hold the benchmark's corpus (<c>dprcluster ingest DIR --url URL</c>).
/// </summary>
internal sealed class ClusterRetriever : IRetriever, IDisposable
{
    private readonly ClusterClient _client;
    private readonly string _mode;

    private ClusterRetriever(ClusterClient client, string mode, string description)
    {
        _client = client;
        _mode = mode;
        Description = description;
    }

    public string Description { get; }

    /// <summary>Connects and reads the cluster view for the report; fails when the cluster holds fewer passages than the corpus.</summary>
    public static ClusterRetriever Connect(Uri url, RetrievalMode mode, int corpusSize)
    {
        var client = new ClusterClient(url);
        try
        {
            ClusterBody status = client.GetClusterAsync().GetAwaiter().GetResult();
            long stored = Commands.IngestCommand.StoredPassages(status);
            if (stored < corpusSize)
            {
                throw new IOException($"The cluster at {url} holds {stored:N0} passages but the corpus has {corpusSize:N0}; " +
                    $"ingest it first: dprcluster ingest <corpus> --url {url}");
            }
            string name = mode.ToString().ToLowerInvariant();
            return new ClusterRetriever(client, name,
                $"{name} by the cluster at {url} ({status.ShardCount} shards, R={status.ReplicationFactor}, {stored:N0} passages) over REST");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public IReadOnlyList<ScoredHit> Search(string query, int k)
    {
        // The evaluation loop is synchronous by design (one query at a time, timed); block on the HTTP call.
        SearchResponseBody response = _client.SearchAsync(new SearchBody { Query = query, K = k, Mode = _mode }).GetAwaiter().GetResult();
        if (response.Partial)
        {
            throw new IOException($"The cluster answered '{query}' partially (shards {string.Join(", ", response.FailedShards)} down).");
        }
        var hits = new ScoredHit[response.Hits.Count];
        for (int i = 0; i < hits.Length; i++)
        {
            hits[i] = new ScoredHit(response.Hits[i].Id, response.Hits[i].Score);
        }
        return hits;
    }

    public void Dispose() => _client.Dispose();
}
