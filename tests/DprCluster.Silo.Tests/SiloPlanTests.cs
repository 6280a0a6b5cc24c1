using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Tests;

public sealed class SiloPlanTests
{
    private static readonly string[] ThreeShardSilos = ["shard-a", "shard-b", "shard-c"];
    private static readonly MembershipOptions Redis = new() { Provider = "redis", ConnectionString = "redis:6379" };

    [Fact]
    public void EmbeddedDefaultIsOneSiloHoldingEveryShardWithNoMembershipStore()
    {
        SiloPlan plan = SiloPlan.Resolve(new SiloOptions(), new ClusterOptions());
        Assert.Equal(SiloRoles.All, plan.Roles);
        Assert.Equal(0, plan.ShardOrdinal);
        Assert.Equal([0, 1, 2, 3], plan.OwnedShards);
        Assert.Equal(MembershipProvider.Localhost, plan.Membership);
        Assert.Equal(plan.SiloName, Assert.Single(plan.Placement.SiloNames));
        Assert.Equal(System.Net.IPAddress.Loopback, plan.AdvertisedAddress);
    }

    [Fact]
    public void ShardSiloTakesItsNameFromItsOrdinalAndOwnsItsShardsAndTheirReplicas()
    {
        SiloPlan plan = SiloPlan.Resolve(
            new SiloOptions { Roles = "shard", Index = 1 },
            new ClusterOptions { ShardCount = 6, ReplicationFactor = 2, ShardSilos = ThreeShardSilos, Membership = Redis });
        // Replica r of shard s lives on silo (s + r) mod 3.
        Assert.Equal([0, 1, 3, 4], plan.OwnedShards);
        Assert.Equal("shard-b", plan.SiloName);
        Assert.Equal(MembershipProvider.Redis, plan.Membership);
        Assert.Equal("redis:6379", plan.MembershipConnectionString);

        SiloPlan byName = SiloPlan.Resolve(new SiloOptions { Roles = "shard", Name = "shard-c" },
            new ClusterOptions { ShardCount = 6, ReplicationFactor = 2, ShardSilos = ThreeShardSilos, Membership = Redis });
        Assert.Equal(2, byName.ShardOrdinal);
    }

    [Fact]
    public void KubernetesTakesTheOrdinalFromThePodNameAndNamesEveryShardPod()
    {
        SiloPlan plan = SiloPlan.Resolve(
            new SiloOptions { Roles = "shard", ApiUrl = "http://0.0.0.0:8080" },
            new ClusterOptions
            {
                ShardCount = 8,
                ReplicationFactor = 2,
                Membership = Redis,
                Kubernetes = new KubernetesOptions { Enabled = true, ShardStatefulSet = "dpr-shard", ShardReplicas = 4, PodName = "dpr-shard-3" },
            });
        Assert.Equal(3, plan.ShardOrdinal);
        Assert.Equal("dpr-shard-3", plan.SiloName);
        Assert.Equal(["dpr-shard-0", "dpr-shard-1", "dpr-shard-2", "dpr-shard-3"], plan.Placement.SiloNames);
        Assert.Equal([2, 3, 6, 7], plan.OwnedShards);
        Assert.Null(plan.AdvertisedAddress);
    }

    [Theory]
    [InlineData("dpr-shard-x")]
    [InlineData("other-3")]
    [InlineData("dpr-shard-4")]
    public void PodThatIsNotOneOfTheStatefulSetsIsAConfigurationError(string pod)
    {
        var error = Assert.Throws<ClusterConfigurationException>(() => SiloPlan.Resolve(new SiloOptions { Roles = "shard" },
            new ClusterOptions
            {
                Membership = Redis,
                Kubernetes = new KubernetesOptions { Enabled = true, ShardStatefulSet = "dpr-shard", ShardReplicas = 4, PodName = pod },
            }));
        Assert.Contains(pod, error.Message);
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
        { new SiloOptions { ApiUrl = "http://localhost:9000", SiloPort = 9000 }, new ClusterOptions(), "Silo:SiloPort" },
        { new SiloOptions { Roles = "shard" }, new ClusterOptions { ShardSilos = ThreeShardSilos, Membership = Redis }, "Silo:Index" },
        { new SiloOptions { Roles = "shard", Index = 3 }, new ClusterOptions { ShardSilos = ThreeShardSilos, Membership = Redis }, "outside" },
        { new SiloOptions { Roles = "shard", Index = 0, Name = "shard-b" }, new ClusterOptions { ShardSilos = ThreeShardSilos, Membership = Redis }, "placed by silo name" },
        { new SiloOptions { Roles = "gateway,encoder" }, new ClusterOptions { Membership = Redis }, "ShardSilos" },
        { new SiloOptions { Roles = "shard", Index = 0 }, new ClusterOptions { ShardSilos = ThreeShardSilos, ReplicationFactor = 4, Membership = Redis }, "ReplicationFactor" },
        { new SiloOptions { Roles = "gateway" }, new ClusterOptions { ShardSilos = ThreeShardSilos }, "Cluster:Membership:Provider" },
        { new SiloOptions { Roles = "gateway" }, new ClusterOptions { ShardSilos = ThreeShardSilos, Membership = new() { Provider = "localhost" } }, "several silos" },
        { new SiloOptions { Roles = "gateway" }, new ClusterOptions { ShardSilos = ThreeShardSilos, Membership = new() { Provider = "redis" } }, "ConnectionString" },
        { new SiloOptions(), new ClusterOptions { Membership = new() { Provider = "zookeeper" } }, "zookeeper" },
        { new SiloOptions(), new ClusterOptions { Membership = new() { ProbeTimeoutMs = 5 } }, "ProbeTimeoutMs" },
        { new SiloOptions { ApiUrl = "https://localhost:9001" }, new ClusterOptions(), "Silo:ApiUrl" },
        { new SiloOptions { Roles = "gateway", AdvertisedAddress = "shard-0.local" }, new ClusterOptions { ShardSilos = ThreeShardSilos, Membership = Redis }, "AdvertisedAddress" },
    };

    [Theory]
    [MemberData(nameof(Contradictions))]
    public void ContradictoryConfigurationNamesWhatToFix(SiloOptions silo, ClusterOptions cluster, string mentioned)
    {
        var error = Assert.Throws<ClusterConfigurationException>(() => SiloPlan.Resolve(silo, cluster));
        Assert.Contains(mentioned, error.Message);
    }
}
