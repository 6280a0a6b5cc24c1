using DprCluster.Abstractions;
using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Shard;

/// <summary>
/// Converts between the BM25 types of <c>DprCluster.Text</c> and their grain messages, so contracts never carry
/// implementation types. A malformed message is a <see cref="ClusterErrorCodes.InvalidRequest"/>, not a crash.
/// </summary>
public static class Bm25Messages
{
    /// <summary>The message form of <paramref name="query"/>.</summary>
    public static QueryTerms ToMessage(Bm25Query query) => new([.. query.Terms], [.. query.Counts]);

    /// <summary>The query a message describes.</summary>
    public static Bm25Query ToQuery(QueryTerms message)
    {
        try
        {
            return Bm25Query.FromCounts(message.Terms, message.Counts);
        }
        catch (ArgumentException e)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"malformed query terms: {e.Message}", e);
        }
    }

    /// <summary>The message form of <paramref name="statistics"/>.</summary>
    public static CollectionStatistics ToMessage(Bm25Statistics statistics) =>
        new(statistics.DocumentCount, statistics.TotalLength, new Dictionary<string, long>(statistics.DocumentFrequencies, StringComparer.Ordinal));

    /// <summary>The statistics a message describes.</summary>
    public static Bm25Statistics ToStatistics(CollectionStatistics message)
    {
        try
        {
            return new Bm25Statistics(message.DocumentCount, message.TotalLength, message.DocumentFrequencies);
        }
        catch (ArgumentException e)
        {
            throw new ClusterException(ClusterErrorCodes.InvalidRequest, $"malformed collection statistics: {e.Message}", e);
        }
    }
}
