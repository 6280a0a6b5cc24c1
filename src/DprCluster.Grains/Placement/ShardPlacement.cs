using DprCluster.Text.Bm25;

namespace DprCluster.Grains.Placement;

/// <summary>
/// Where data lives: passage id → shard by stable hash mod S (fixed when the index is created), shard s → silos
/// s mod N and the next R−1 silos in ring order.
/// </summary>
public sealed class ShardPlacement
{
    /// <summary>Creates a placement; throws when the numbers cannot work.</summary>
    public ShardPlacement(int shardCount, int siloCount, int replicationFactor)
    {
        if (shardCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shardCount), shardCount, "At least one shard is needed.");
        }
        if (siloCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(siloCount), siloCount, "At least one shard silo is needed.");
        }
        if (replicationFactor < 1 || replicationFactor > siloCount)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicationFactor,
                $"Replication factor must be between 1 and the number of shard silos ({siloCount}).");
        }
        ShardCount = shardCount;
        SiloCount = siloCount;
        ReplicationFactor = replicationFactor;
    }

    /// <summary>S: shards of the index.</summary>
    public int ShardCount { get; }

    /// <summary>N: shard silos.</summary>
    public int SiloCount { get; }

    /// <summary>R: replicas of each shard.</summary>
    public int ReplicationFactor { get; }

    /// <summary>The shard owning <paramref name="passageId"/>.</summary>
    public int ShardOf(string passageId) => StableHash.ShardOf(passageId, ShardCount);

    /// <summary>Silo indexes holding shard <paramref name="shard"/>, primary first.</summary>
    public IReadOnlyList<int> SilosOf(int shard)
    {
        var silos = new int[ReplicationFactor];
        for (int r = 0; r < ReplicationFactor; r++)
        {
            silos[r] = (shard + r) % SiloCount;
        }
        return silos;
    }

    /// <summary>Shards whose replica lives on silo <paramref name="silo"/>.</summary>
    public IReadOnlyList<int> ShardsOn(int silo)
    {
        var shards = new List<int>();
        for (int shard = 0; shard < ShardCount; shard++)
        {
            if (Array.IndexOf((int[])SilosOf(shard), silo) >= 0)
            {
                shards.Add(shard);
            }
        }
        return shards;
    }
}
