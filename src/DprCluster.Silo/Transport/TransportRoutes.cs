namespace DprCluster.Silo.Transport;

/// <summary>Paths of the silo transport, served on the internal (h2c) endpoint only.</summary>
public static class TransportRoutes
{
    /// <summary>Prefix of every transport path.</summary>
    public const string Prefix = "/internal/v1";

    /// <summary>Shard search.</summary>
    public static string ShardSearch(int shard) => $"{Prefix}/shards/{shard}/search";

    /// <summary>Shard BM25 statistics.</summary>
    public static string ShardStatistics(int shard) => $"{Prefix}/shards/{shard}/statistics";

    /// <summary>Shard upsert.</summary>
    public static string ShardUpsert(int shard) => $"{Prefix}/shards/{shard}/upsert";

    /// <summary>Shard delete.</summary>
    public static string ShardDelete(int shard) => $"{Prefix}/shards/{shard}/delete";

    /// <summary>Shard passage lookup.</summary>
    public static string ShardGet(int shard) => $"{Prefix}/shards/{shard}/get";

    /// <summary>Shard stats.</summary>
    public static string ShardStats(int shard) => $"{Prefix}/shards/{shard}/stats";

    /// <summary>Question encoding.</summary>
    public const string EncodeQueries = Prefix + "/encoder/queries";

    /// <summary>Passage encoding.</summary>
    public const string EncodePassages = Prefix + "/encoder/passages";
}
