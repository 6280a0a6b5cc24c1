using System.Globalization;
using DprCluster.Abstractions;
using DprCluster.Core.Hashing;

namespace DprCluster.Grains.Placement;

/// <summary>
/// Where data lives: passage id → shard by stable hash mod S (fixed when the index is created); replica r of shard s
/// → shard silo (s + r) mod N. N and the silos' names come from configuration, never from the number of live silos,
/// so a silo that is down keeps its replicas: they wait for it instead of moving.
/// </summary>
public sealed class ShardPlacement
{
    private readonly string[] _siloNames;

    /// <summary>Creates a placement; throws when the numbers cannot work.</summary>
    /// <param name="shardCount">S.</param>
    /// <param name="siloCount">N.</param>
    /// <param name="replicationFactor">R, at most N (two replicas of a shard never share a disk).</param>
    /// <param name="siloNames">Silo names by ordinal (on Kubernetes the StatefulSet's pod names); default <c>shard-{i}</c>.</param>
    public ShardPlacement(int shardCount, int siloCount, int replicationFactor, IReadOnlyList<string>? siloNames = null)
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
        if (siloNames is not null && (siloNames.Count != siloCount || new HashSet<string>(siloNames, StringComparer.Ordinal).Count != siloCount))
        {
            throw new ArgumentException($"Need {siloCount} distinct shard silo names, got [{string.Join(", ", siloNames)}].", nameof(siloNames));
        }
        ShardCount = shardCount;
        SiloCount = siloCount;
        ReplicationFactor = replicationFactor;
        _siloNames = new string[siloCount];
        for (int i = 0; i < siloCount; i++)
        {
            _siloNames[i] = siloNames?[i] ?? string.Create(CultureInfo.InvariantCulture, $"shard-{i}");
        }
    }

    /// <summary>S: shards of the index.</summary>
    public int ShardCount { get; }

    /// <summary>N: shard silos.</summary>
    public int SiloCount { get; }

    /// <summary>R: replicas of each shard.</summary>
    public int ReplicationFactor { get; }

    /// <summary>Names of the shard silos by ordinal.</summary>
    public IReadOnlyList<string> SiloNames => _siloNames;

    /// <summary>The shard owning <paramref name="passageId"/>.</summary>
    public int ShardOf(string passageId) => PassageIdHash.ShardOf(passageId, ShardCount);

    /// <summary>Ordinal of the shard silo that holds <paramref name="replica"/>'s data.</summary>
    public int SiloOf(ShardReplicaKey replica)
    {
        if ((uint)replica.Shard >= (uint)ShardCount || (uint)replica.Replica >= (uint)ReplicationFactor)
        {
            throw new ArgumentOutOfRangeException(nameof(replica), replica,
                $"The cluster has shards 0..{ShardCount - 1} with replicas 0..{ReplicationFactor - 1}.");
        }
        return (replica.Shard + replica.Replica) % SiloCount;
    }

    /// <summary>Silo ordinals holding shard <paramref name="shard"/>, replica 0 first.</summary>
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
            for (int r = 0; r < ReplicationFactor; r++)
            {
                if ((shard + r) % SiloCount == silo)
                {
                    shards.Add(shard);
                    break;
                }
            }
        }
        return shards;
    }
}
