using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security;

/// <summary>
/// Builds the <see cref="HttpClient"/> a participant or the admin console uses to call a silo:
/// HTTP/2 only, the caller's client certificate attached, and the silo's server certificate
/// checked against the federation's CA only (no system roots) and the host name dialled.
/// </summary>
/// <remarks>
/// The returned client owns its handler and the certificates it loaded from files; dispose it
/// when done. Create one per process and silo and reuse it (it pools HTTP/2 connections).
/// </remarks>
public static class FederationHttpClientFactory
{
    /// <summary>The header carrying the claimed identity in the insecure loopback demo mode only.</summary>
    public const string InsecureIdentityHeader = "X-FedDistill-Identity";

    /// <summary>Builds a TLS client from PEM files (as <c>feddistill admin issue ...</c> writes them).</summary>
    /// <param name="baseAddress">The silo, e.g. <c>https://aggregator.example:7443/</c>; must be https.</param>
    /// <param name="certificatePath">The caller's PEM certificate (<c>&lt;name&gt;.crt</c>).</param>
    /// <param name="keyPath">The caller's PEM private key (<c>&lt;name&gt;.key</c>).</param>
    /// <param name="caCertificatePath">The federation's <c>ca.crt</c>.</param>
    /// <exception cref="ArgumentException">The address is not absolute https.</exception>
    /// <exception cref="CertificateAuthorityException">A file is missing or corrupt.</exception>
    public static HttpClient Create(Uri baseAddress, string certificatePath, string keyPath, string caCertificatePath)
    {
        var clientCertificate = FederationCertificates.LoadCertificateWithKey(certificatePath, keyPath);
        X509Certificate2 certificateAuthority;
        try
        {
            certificateAuthority = FederationCertificates.LoadCertificate(caCertificatePath);
        }
        catch
        {
            clientCertificate.Dispose();
            throw;
        }
        try
        {
            return Create(baseAddress, clientCertificate, certificateAuthority, ownsCertificates: true);
        }
        catch
        {
            clientCertificate.Dispose();
            certificateAuthority.Dispose();
            throw;
        }
    }

    /// <summary>Builds a TLS client from loaded certificates.</summary>
    /// <param name="baseAddress">The silo; must be absolute https.</param>
    /// <param name="clientCertificate">The caller's certificate with its private key; null to call without one (e.g. only <c>/healthz</c>).</param>
    /// <param name="certificateAuthority">The federation's CA certificate, the only trusted root for the server certificate.</param>
    /// <param name="ownsCertificates">Dispose both certificates when the client is disposed.</param>
    /// <exception cref="ArgumentException">The address is not absolute https.</exception>
    public static HttpClient Create(Uri baseAddress, X509Certificate2? clientCertificate, X509Certificate2 certificateAuthority, bool ownsCertificates = false)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(certificateAuthority);
        if (!baseAddress.IsAbsoluteUri || baseAddress.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"Silo address {baseAddress} must be an absolute https:// URL; plain http is only for the insecure loopback demo (CreateInsecureLoopback).", nameof(baseAddress));
        if (clientCertificate is { HasPrivateKey: false })
            throw new ArgumentException($"Client certificate '{clientCertificate.Subject}' has no private key.", nameof(clientCertificate));

        var trust = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        trust.CustomTrustStore.Add(certificateAuthority);
        trust.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(CertificateSubject.ServerAuthenticationOid));

        var ssl = new SslClientAuthenticationOptions
        {
            // With a chain policy, SslStream validates against it and checks the host name itself;
            // the connection fails unless both pass (no RemoteCertificateValidationCallback override).
            CertificateChainPolicy = trust,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        };
        if (clientCertificate is not null)
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);

        var handler = new SocketsHttpHandler
        {
            SslOptions = ssl,
            PooledConnectionLifetime = TimeSpan.FromMinutes(15),
            EnableMultipleHttp2Connections = true,
        };
        return Build(baseAddress, handler, ownsCertificates ? [clientCertificate, certificateAuthority] : []);
    }

    /// <summary>
    /// Builds a client for the insecure loopback demo mode only: plain HTTP/1.1 to
    /// <c>http://127.0.0.1</c>, claiming <paramref name="identity"/> in the
    /// <see cref="InsecureIdentityHeader"/> header. Nothing proves that claim: never use this
    /// outside a single machine's demo.
    /// </summary>
    /// <param name="baseAddress">A loopback http URL, e.g. <c>http://127.0.0.1:5080/</c>.</param>
    /// <param name="identity">A participant id, or <c>admin</c> for the admin identity.</param>
    /// <exception cref="ArgumentException">The address is not loopback http, or the identity is not a valid name.</exception>
    public static HttpClient CreateInsecureLoopback(Uri baseAddress, string identity)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || baseAddress.Scheme != Uri.UriSchemeHttp || !baseAddress.IsLoopback)
            throw new ArgumentException($"The insecure loopback mode talks only to http://127.0.0.1, http://[::1] or http://localhost; {baseAddress} is not one of them. Use Create with certificates for anything else.", nameof(baseAddress));
        if (FederationNames.ValidateAdminName(identity) is { } problem) throw new ArgumentException(problem, nameof(identity));

        var client = Build(baseAddress, new SocketsHttpHandler { UseProxy = false }, []);
        // A silo in this mode serves cleartext HTTP/1.1 (for browsers), not HTTP/2 prior knowledge.
        client.DefaultRequestVersion = HttpVersion.Version11;
        client.DefaultRequestHeaders.Add(InsecureIdentityHeader, identity);
        return client;
    }

    private static HttpClient Build(Uri baseAddress, SocketsHttpHandler handler, IReadOnlyList<X509Certificate2?> ownedCertificates) =>
        new(new CertificateOwningHandler(handler, ownedCertificates), disposeHandler: true)
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

    /// <summary>Disposes the certificates a client loaded when the client goes.</summary>
    private sealed class CertificateOwningHandler(HttpMessageHandler inner, IReadOnlyList<X509Certificate2?> certificates) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (!disposing) return;
            foreach (var certificate in certificates) certificate?.Dispose();
        }
    }
}
