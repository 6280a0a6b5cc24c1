namespace DprCluster.Silo.Configuration;

/// <summary>
/// Mutual TLS on the Orleans silo and gateway ports (section <c>Cluster:Tls</c>): every connection between silos, and
/// from an Orleans client, must present a certificate issued by the cluster's CA, or it is refused before any message.
/// The REST port is not affected (it has its API key). Files in PEM, named as a Kubernetes TLS Secret names them;
/// <c>dprcluster certs --out DIR</c> writes a CA and a cluster certificate.
/// </summary>
public sealed record ClusterTlsOptions
{
    /// <summary>Turns mutual TLS on.</summary>
    public bool Enabled { get; init; }

    /// <summary>This silo's certificate (PEM), issued by <see cref="CaPath"/>'s CA for server and client authentication.</summary>
    public string CertificatePath { get; init; } = "/etc/dprcluster-tls/tls.crt";

    /// <summary>Its private key (PEM, PKCS#8 or the key's own format).</summary>
    public string KeyPath { get; init; } = "/etc/dprcluster-tls/tls.key";

    /// <summary>The cluster CA's certificate (PEM): the only issuer whose certificates a silo accepts.</summary>
    public string CaPath { get; init; } = "/etc/dprcluster-tls/ca.crt";
}
