using Orleans.Placement;
using Orleans.Runtime;

namespace DprCluster.Grains.Placement;

/// <summary>Places a shard-replica grain on the one silo whose disk holds its data (see <see cref="ShardReplicaPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, Alias("dpr.ShardReplicaPlacement")]
public sealed class ShardReplicaPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static ShardReplicaPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class as pinned to its shard silo by <see cref="ShardReplicaPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ShardReplicaPlacementAttribute() : PlacementAttribute(ShardReplicaPlacement.Instance);
