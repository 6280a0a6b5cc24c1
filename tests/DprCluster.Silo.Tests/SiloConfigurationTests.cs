using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Tests;

public sealed class SiloConfigurationTests
{
    [Fact]
    public void FileThenEnvironmentThenOverridesWin()
    {
        string file = Path.Combine(Path.GetTempPath(), $"dprcluster-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """
            {
              "Silo": { "Roles": "shard", "Index": 2, "DataDirectory": "/from/file" },
              "Cluster": { "ShardCount": 12, "ReplicationFactor": 3, "ShardSilos": ["a", "b", "c"] },
              "Shard": { "EfSearch": 64, "Sync": "OsBuffered" },
              "Api": { "MaxK": 50 }
            }
            """);
        try
        {
            SiloConfiguration configuration = SiloConfiguration.Load(file, new Dictionary<string, string?> { ["Silo:DataDirectory"] = "/from/override" });
            Assert.Equal("shard", configuration.Silo.Roles);
            Assert.Equal(2, configuration.Silo.Index);
            Assert.Equal("/from/override", configuration.Silo.DataDirectory);
            Assert.Equal(12, configuration.Cluster.ShardCount);
            Assert.Equal(3, configuration.Cluster.ShardSilos.Length);
            Assert.Equal(50, configuration.Api.MaxK);
            Grains.Shard.ShardOptions shard = configuration.ShardOptions(32);
            Assert.Equal(64, shard.EfSearch);
            Assert.Equal(Grains.Shard.Storage.WalSyncMode.OsBuffered, shard.Sync);
            Assert.Equal(32, shard.Dimensions);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MisspeltSettingIsAnError()
    {
        string file = Path.Combine(Path.GetTempPath(), $"dprcluster-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "Cluster": { "ShardCont": 3 } }""");
        try
        {
            var error = Assert.Throws<ClusterConfigurationException>(() => SiloConfiguration.Load(file));
            Assert.Contains("ShardCont", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MissingFileIsAnError() =>
        Assert.Throws<ClusterConfigurationException>(() => SiloConfiguration.Load("/no/such/dprcluster.json"));
}
