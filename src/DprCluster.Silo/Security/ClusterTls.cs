using Orleans.Connections.Security;

namespace DprCluster.Silo.Security;

/// <summary>
/// Mutual TLS on Orleans connections (Microsoft.Orleans.Connections.Security): both ends present a certificate and
/// accept only one that chains to the cluster CA, so a process without the cluster certificate cannot join, call a
/// grain, or read what silos send each other.
/// </summary>
public static class ClusterTls
{
    /// <summary>Requires and checks cluster certificates on this silo's silo-to-silo and gateway connections.</summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterCertificates certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return silo.UseTls(certificates.Own, options =>
        {
            Configure(options, certificates);
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        });
    }

    /// <summary>The same for an Orleans client of the cluster (tools, tests): it must hold the cluster certificate too.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, ClusterCertificates certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return client.UseTls(certificates.Own, options => Configure(options, certificates));
    }

    private static void Configure(TlsOptions options, ClusterCertificates certificates)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Authoritative: name mismatches are ignored (peers are dialled by IP), everything else must chain to the CA.
        options.RemoteCertificateValidation = (certificate, _, _) => certificates.IsTrusted(certificate);
        options.OnAuthenticateAsClient = (_, authentication) => authentication.TargetHost = ClusterCertificateAuthority.SiloName;
    }
}
