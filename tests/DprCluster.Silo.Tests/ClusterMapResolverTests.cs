using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Tests;

public sealed class ClusterMapResolverTests
{
    private static readonly string[] ThreeShardSilos = ["http://10.0.0.1:8081", "http://10.0.0.2:8081", "http://10.0.0.3:8081"];

    [Fact]
    public void EmbeddedDefaultIsOneProcessHoldingEveryShard()
    {
        ClusterMap map = ClusterMapResolver.Resolve(new SiloOptions(), new ClusterOptions());
        Assert.Equal(SiloRoles.All, map.Roles);
        Assert.Equal(0, map.ShardSiloIndex);
        Assert.Equal([0, 1, 2, 3], map.OwnedShards);
        Assert.Equal(map.InternalUrl, Assert.Single(map.ShardSilos));
    }

    [Fact]
    public void ShardSiloOwnsItsShardsAndTheirReplicas()
    {
        ClusterMap map = ClusterMapResolver.Resolve(
            new SiloOptions { Roles = "shard", Index = 1 },
            new ClusterOptions { ShardCount = 6, ReplicationFactor = 2, ShardSilos = ThreeShardSilos });
        // Shard s lives on silos s mod 3 and (s + 1) mod 3.
        Assert.Equal([0, 1, 3, 4], map.OwnedShards);
        Assert.Equal("shard-1", map.SiloName);
    }

    [Fact]
    public void KubernetesTakesTheIndexFromTheOrdinalAndAddressesFromTheHeadlessService()
    {
        ClusterMap map = ClusterMapResolver.Resolve(
            new SiloOptions { Roles = "shard", ApiUrl = "http://0.0.0.0:8080", InternalUrl = "http://0.0.0.0:8081" },
            new ClusterOptions
            {
                ShardCount = 8,
                ReplicationFactor = 2,
                Kubernetes = new KubernetesOptions
                {
                    Enabled = true,
                    ShardStatefulSet = "dpr-shard",
                    ShardService = "dpr-shard-headless",
                    ShardReplicas = 4,
                    Namespace = "search",
                    HostName = "dpr-shard-3",
                    EncoderService = "dpr-encoder",
                },
            });
        Assert.Equal(3, map.ShardSiloIndex);
        Assert.Equal(4, map.ShardSilos.Count);
        Assert.Equal(new Uri("http://dpr-shard-2.dpr-shard-headless.search.svc.cluster.local:8081"), map.ShardSilos[2]);
        Assert.Equal(new Uri("http://dpr-encoder.search.svc.cluster.local:8081"), Assert.Single(map.EncoderSilos));
        Assert.Equal([2, 3, 6, 7], map.OwnedShards);
    }

    [Theory]
    [InlineData("dpr-shard-x")]
    [InlineData("other-3")]
    [InlineData("dpr-shard-")]
    public void HostNameThatIsNotAStatefulSetPodIsAConfigurationError(string host)
    {
        var error = Assert.Throws<ClusterConfigurationException>(() => ClusterMapResolver.OrdinalOf(host, "dpr-shard"));
        Assert.Contains(host, error.Message);
    }

    [Fact]
    public void RolesParseFromListsAndRejectUnknownNames()
    {
        Assert.Equal(SiloRoles.Gateway | SiloRoles.Encoder, SiloRoleNames.Parse("gateway, encoder"));
        Assert.Equal(SiloRoles.All, SiloRoleNames.Parse("ALL"));
        Assert.Throws<ClusterConfigurationException>(() => SiloRoleNames.Parse("router"));
        Assert.Throws<ClusterConfigurationException>(() => SiloRoleNames.Parse(" "));
    }

    public static TheoryData<SiloOptions, ClusterOptions, string> Contradictions => new()
    {
        { new SiloOptions { ApiUrl = "http://localhost:9000", InternalUrl = "http://localhost:9000" }, new ClusterOptions(), "same port" },
        { new SiloOptions { Roles = "shard" }, new ClusterOptions { ShardSilos = ThreeShardSilos }, "Silo:Index" },
        { new SiloOptions { Roles = "shard", Index = 3 }, new ClusterOptions { ShardSilos = ThreeShardSilos }, "outside" },
        { new SiloOptions { Roles = "gateway" }, new ClusterOptions { ShardSilos = ThreeShardSilos }, "EncoderSilos" },
        { new SiloOptions { Roles = "gateway,encoder" }, new ClusterOptions(), "ShardSilos" },
        { new SiloOptions { Roles = "shard", Index = 0 }, new ClusterOptions { ShardSilos = ThreeShardSilos, ReplicationFactor = 4 }, "ReplicationFactor" },
        { new SiloOptions { InternalUrl = "https://localhost:9001" }, new ClusterOptions(), "Silo:InternalUrl" },
    };

    [Theory]
    [MemberData(nameof(Contradictions))]
    public void ContradictoryConfigurationNamesWhatToFix(SiloOptions silo, ClusterOptions cluster, string mentioned)
    {
        var error = Assert.Throws<ClusterConfigurationException>(() => ClusterMapResolver.Resolve(silo, cluster));
        Assert.Contains(mentioned, error.Message);
    }
}
