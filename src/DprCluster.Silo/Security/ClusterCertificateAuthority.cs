using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DprCluster.Silo.Security;

/// <summary>
/// Makes a cluster's certificates: a CA, and one certificate it issues for every silo (server and client
/// authentication). ECDSA P-256 keys, so a handshake costs little. Written as <c>ca.crt</c>, <c>tls.crt</c> and
/// <c>tls.key</c>, the names of a Kubernetes TLS Secret's keys; the CA's own key is not kept, so nothing else can be
/// issued later without a new CA.
/// </summary>
public static class ClusterCertificateAuthority
{
    /// <summary>The DNS name in every silo certificate (silos dial by IP, so nothing checks it; clients may use it for SNI).</summary>
    public const string SiloName = "dprcluster-silo";

    /// <summary>Writes a new CA and silo certificate into <paramref name="directory"/>, valid for <paramref name="days"/> days.</summary>
    public static void Write(string directory, int days)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        Directory.CreateDirectory(directory);
        DateTimeOffset notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        DateTimeOffset notAfter = notBefore.AddDays(days);

        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=DprCluster cluster CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(notBefore, notAfter.AddDays(1));

        using ECDsa siloKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var siloRequest = new CertificateRequest($"CN={SiloName}", siloKey, HashAlgorithmName.SHA256);
        siloRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        siloRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        siloRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(SiloName);
        siloRequest.CertificateExtensions.Add(names.Build());
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using X509Certificate2 silo = siloRequest.Create(ca, notBefore, notAfter, serial);

        File.WriteAllText(Path.Combine(directory, "ca.crt"), ca.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "tls.crt"), silo.ExportCertificatePem() + "\n");
        string keyPath = Path.Combine(directory, "tls.key");
        File.WriteAllText(keyPath, siloKey.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
