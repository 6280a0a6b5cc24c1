using DprCluster.Abstractions;
using DprCluster.Silo.Api;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Security;
using DprCluster.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace DprCluster.IntegrationTests;

/// <summary>
/// Mutual TLS between silos on real processes: the cluster forms and serves over TLS, and an Orleans client that
/// presents no certificate, or one from another CA, cannot call a grain or read a passage, while one holding the
/// cluster certificate can.
/// </summary>
public sealed class ClusterTlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(tls: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task OnlyAProcessHoldingTheClusterCertificateCanCallAGrainOrReadAPassage()
    {
        // The silos formed one cluster over TLS: a write and a read go through every hop.
        await _cluster.Client.UpsertAsync([new PassageBody { Id = "secret-1", Text = "a passage only cluster members may read" }]);
        Assert.Equal("a passage only cluster members may read", (await _cluster.Client.GetAsync("secret-1"))?.Text);
        int shard = _cluster.Placement.ShardOf("secret-1");
        string replica = new ShardReplicaKey(shard, 0).ToString();

        Exception plaintext = await RefusedAsync(null, replica);
        output.WriteLine($"without a certificate: {plaintext.GetType().Name}: {plaintext.Message}");

        string otherDirectory = Path.Combine(Path.GetTempPath(), $"dprcluster-other-ca-{Guid.NewGuid():N}");
        try
        {
            ClusterCertificateAuthority.Write(otherDirectory, days: 1);
            using ClusterCertificates impostor = ClusterCertificates.Load(new ClusterTlsOptions
            {
                CertificatePath = Path.Combine(otherDirectory, "tls.crt"),
                KeyPath = Path.Combine(otherDirectory, "tls.key"),
                CaPath = Path.Combine(otherDirectory, "ca.crt"),
            });
            Exception foreign = await RefusedAsync(impostor, replica);
            output.WriteLine($"with another CA's certificate: {foreign.GetType().Name}: {foreign.Message}");
        }
        finally
        {
            Directory.Delete(otherDirectory, recursive: true);
        }

        // The same client with the cluster certificate reads the passage straight from its replica.
        using IHost member = await _cluster.ConnectClientAsync(_cluster.Certificates, retryConnecting: false);
        IShardReplicaGrain grain = member.Services.GetRequiredService<IClusterClient>().GetGrain<IShardReplicaGrain>(replica);
        Assert.Equal("a passage only cluster members may read", (await grain.GetAsync("secret-1", CancellationToken.None))?.Text);
        await member.StopAsync();
    }

    [Fact]
    public async Task ASiloWithoutTheClusterCertificateCannotJoin()
    {
        // Same membership store, same cluster id, but plaintext: the members' TLS listeners refuse it, so it cannot
        // validate its connections to them and never becomes an active member.
        using SiloProcess outsider = _cluster.Outsider("outsider", "encoder", new Dictionary<string, string>
        {
            ["DPRCLUSTER_Cluster__Tls__Enabled"] = "false",
        });
        outsider.Start();
        await Poll.UntilAsync("the plaintext silo to give up joining", Patience, () => Task.FromResult(!outsider.Running));
        output.WriteLine(outsider.Output.Length > 3000 ? outsider.Output[..3000] : outsider.Output);
        ClusterBody cluster = await _cluster.Client.GetClusterAsync();
        Assert.DoesNotContain(cluster.Silos, s => s.Name == "outsider" && s.Status == "active");
        Assert.Equal(5, cluster.Silos.Count(s => s.Status == "active"));
    }

    /// <summary>The failure of connecting with <paramref name="certificates"/> and reading a passage from <paramref name="replica"/>.</summary>
    private async Task<Exception> RefusedAsync(ClusterCertificates? certificates, string replica)
    {
        using var patience = new CancellationTokenSource(Patience);
        IHost? client = null;
        try
        {
            client = await _cluster.ConnectClientAsync(certificates, retryConnecting: false).WaitAsync(patience.Token);
            IShardReplicaGrain grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IShardReplicaGrain>(replica);
            Passage? read = await grain.GetAsync("secret-1", patience.Token).WaitAsync(patience.Token);
            throw new InvalidOperationException($"a client without the cluster certificate read '{read?.Text}'");
        }
        catch (Exception e) when (!e.Message.StartsWith("a client without", StringComparison.Ordinal))
        {
            Assert.False(patience.IsCancellationRequested, $"the refused client neither failed nor succeeded within {Patience.TotalSeconds} s");
            return e;
        }
        finally
        {
            client?.Dispose();
        }
    }
}
