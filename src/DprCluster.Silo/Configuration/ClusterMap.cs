using DprCluster.Grains.Placement;

namespace DprCluster.Silo.Configuration;

/// <summary>
/// The resolved view of the cluster from one silo: its roles and index, the placement, and every other silo's
/// address. Built by <see cref="ClusterMapResolver"/> from configuration or Kubernetes discovery.
/// </summary>
public sealed record ClusterMap
{
    /// <summary>Roles of this process.</summary>
    public required SiloRoles Roles { get; init; }

    /// <summary>Name of this process in the cluster view.</summary>
    public required string SiloName { get; init; }

    /// <summary>Index of this process among the shard silos, or null when it hosts no shards.</summary>
    public required int? ShardSiloIndex { get; init; }

    /// <summary>Shards, shard silos and replication.</summary>
    public required ShardPlacement Placement { get; init; }

    /// <summary>Internal URLs of the shard silos by index (this process's own entry included).</summary>
    public required IReadOnlyList<Uri> ShardSilos { get; init; }

    /// <summary>Internal URLs of the encoder silos; empty when this process encodes itself.</summary>
    public required IReadOnlyList<Uri> EncoderSilos { get; init; }

    /// <summary>API URLs of the gateways.</summary>
    public required IReadOnlyList<Uri> Gateways { get; init; }

    /// <summary>Where this process serves the REST API.</summary>
    public required Uri ApiUrl { get; init; }

    /// <summary>Where this process serves the silo transport.</summary>
    public required Uri InternalUrl { get; init; }

    /// <summary>Shards with a replica in this process (empty without the shard role).</summary>
    public IReadOnlyList<int> OwnedShards =>
        ShardSiloIndex is int index && Roles.HasFlag(SiloRoles.Shard) ? Placement.ShardsOn(index) : [];

    /// <summary>Name of shard silo <paramref name="index"/> (this process's own name for its own index).</summary>
    public string ShardSiloName(int index) =>
        index == ShardSiloIndex && Roles.HasFlag(SiloRoles.Shard) ? SiloName : $"shard-{index}";
}
