using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security;

/// <summary>Loads the PEM files that <see cref="CertificateAuthority"/> writes, in the form TLS needs.</summary>
public static class FederationCertificates
{
    /// <summary>Loads a certificate without a key, e.g. the federation's <c>ca.crt</c>. The caller owns (disposes) it.</summary>
    /// <exception cref="CertificateAuthorityException">The file is missing or not a PEM certificate.</exception>
    public static X509Certificate2 LoadCertificate(string certificatePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePath);
        return PemFiles.LoadCertificate(Path.GetFullPath(certificatePath), "certificate");
    }

    /// <summary>
    /// Loads a certificate and its private key for use as a TLS client or server certificate. The
    /// PEM-loaded certificate is re-exported through PKCS#12, because SslStream on some platforms
    /// cannot use the ephemeral key of a PEM-loaded certificate. The caller owns (disposes) it.
    /// </summary>
    /// <exception cref="CertificateAuthorityException">A file is missing or corrupt, or the key does not match the certificate.</exception>
    public static X509Certificate2 LoadCertificateWithKey(string certificatePath, string keyPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPath);
        using var pem = PemFiles.LoadCertificateWithKey(Path.GetFullPath(certificatePath), Path.GetFullPath(keyPath), "TLS", requireOwnerOnlyKey: false);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
