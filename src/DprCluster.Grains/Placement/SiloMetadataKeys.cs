namespace DprCluster.Grains.Placement;

/// <summary>Keys of the silo metadata every DprCluster silo publishes (Orleans <c>UseSiloMetadata</c>).</summary>
public static class SiloMetadataKeys
{
    /// <summary>Comma-separated roles: gateway, shard, encoder.</summary>
    public const string Roles = "dprcluster.roles";

    /// <summary><c>true</c> when the silo's encoder runs on a GPU.</summary>
    public const string Gpu = "dprcluster.gpu";
}
