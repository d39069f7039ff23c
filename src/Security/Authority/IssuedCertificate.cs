namespace FedDistill.Security;

/// <summary>A certificate the federation's CA issued and wrote as PEM files.</summary>
/// <param name="Identity">The role and name the certificate carries.</param>
/// <param name="CertificatePath">Absolute path of <c>&lt;name&gt;.crt</c> (PEM certificate).</param>
/// <param name="KeyPath">Absolute path of <c>&lt;name&gt;.key</c> (PEM PKCS#8 ECDSA P-256 private key, mode 0600 on Unix).</param>
/// <param name="NotBefore">Start of validity (UTC).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
/// <param name="Thumbprint">SHA-256 thumbprint of the certificate, hex upper case.</param>
public sealed record IssuedCertificate(
    FederationIdentity Identity,
    string CertificatePath,
    string KeyPath,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Thumbprint);
