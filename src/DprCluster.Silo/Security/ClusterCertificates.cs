using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DprCluster.Silo.Configuration;

namespace DprCluster.Silo.Security;

/// <summary>
/// The certificates of a cluster's mutual TLS: this silo's own, and the CA that every peer's must chain to. A peer
/// is trusted when its certificate chains to that CA alone (not to the machine's roots) and is valid now; host names
/// are not compared, because silos dial each other by IP address.
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    private ClusterCertificates(X509Certificate2 own, X509Certificate2 authority)
    {
        Own = own;
        Authority = authority;
    }

    /// <summary>This silo's certificate with its private key.</summary>
    public X509Certificate2 Own { get; }

    /// <summary>The cluster CA.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>Loads the files <paramref name="options"/> names; throws <see cref="ClusterConfigurationException"/> saying which is wrong.</summary>
    public static ClusterCertificates Load(ClusterTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach ((string setting, string path) in new[]
        {
            ("Cluster:Tls:CertificatePath", options.CertificatePath), ("Cluster:Tls:KeyPath", options.KeyPath), ("Cluster:Tls:CaPath", options.CaPath),
        })
        {
            if (!File.Exists(path))
            {
                throw new ClusterConfigurationException($"{setting}: '{path}' does not exist (dprcluster certs --out DIR writes the three files).");
            }
        }
        X509Certificate2 own;
        X509Certificate2 authority;
        try
        {
            own = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
            authority = X509CertificateLoader.LoadCertificateFromFile(options.CaPath);
        }
        catch (CryptographicException e)
        {
            throw new ClusterConfigurationException($"Cluster:Tls: the certificate, key or CA cannot be read: {e.Message}");
        }
        var certificates = new ClusterCertificates(own, authority);
        if (!certificates.IsTrusted(own))
        {
            certificates.Dispose();
            throw new ClusterConfigurationException(
                $"Cluster:Tls: '{options.CertificatePath}' is not issued by the CA in '{options.CaPath}', or not valid now: peers would refuse it.");
        }
        return certificates;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to the cluster CA and is valid now.</summary>
    public bool IsTrusted(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate) && chain.ChainElements[^1].Certificate.Thumbprint == Authority.Thumbprint;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Own.Dispose();
        Authority.Dispose();
    }
}
