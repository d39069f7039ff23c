using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security;

/// <summary>
/// Turns a presented client certificate into a <see cref="FederationIdentity"/>, trusting only the
/// federation's CA: no system roots, no revocation lookups (the federation has no CRL service; a
/// compromised certificate is handled by re-creating the CA), the validity period at the current
/// time, the clientAuth extended key usage, and the identity encoding (CN = name, OU = role).
/// </summary>
/// <remarks>Thread-safe; one instance serves every request. The caller keeps ownership of the CA certificate and must keep it alive while the resolver is used.</remarks>
public sealed class FederationIdentityResolver
{
    private readonly X509Certificate2 _certificateAuthority;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a resolver that trusts only <paramref name="certificateAuthority"/>.</summary>
    /// <param name="certificateAuthority">The federation's CA certificate (public part is enough).</param>
    /// <param name="timeProvider">The clock for validity checks; the system clock when null.</param>
    public FederationIdentityResolver(X509Certificate2 certificateAuthority, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(certificateAuthority);
        if (!CertificateSubject.IsCertificateAuthority(certificateAuthority))
            throw new ArgumentException($"Certificate '{certificateAuthority.Subject}' is not a CA certificate (its basic constraints do not allow issuing).", nameof(certificateAuthority));
        _certificateAuthority = certificateAuthority;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Checks <paramref name="clientCertificate"/> and returns the identity it proves, or why it proves none.</summary>
    /// <param name="clientCertificate">The certificate the caller presented in the TLS handshake; null when it presented none.</param>
    public FederationIdentityResult Resolve(X509Certificate2? clientCertificate)
    {
        if (clientCertificate is null)
            return FederationIdentityResult.Failure("no client certificate was presented; use a certificate issued by the federation's CA (feddistill admin issue ...).");

        var now = _timeProvider.GetUtcNow().UtcDateTime;
        if (now < clientCertificate.NotBefore.ToUniversalTime())
            return FederationIdentityResult.Failure($"certificate is not valid before {Format(clientCertificate.NotBefore)}.");
        if (now > clientCertificate.NotAfter.ToUniversalTime())
            return FederationIdentityResult.Failure($"certificate expired on {Format(clientCertificate.NotAfter)}; ask the federation admin for a new one.");

        if (!IssuedByThisAuthority(clientCertificate, now, out var chainProblem))
            return FederationIdentityResult.Failure(chainProblem);

        if (CertificateSubject.IsCertificateAuthority(clientCertificate))
            return FederationIdentityResult.Failure("a CA certificate cannot be used as a client certificate.");
        if (!CertificateSubject.HasExtendedKeyUsage(clientCertificate, CertificateSubject.ClientAuthenticationOid))
            return FederationIdentityResult.Failure("certificate is not a client certificate (it lacks the clientAuth extended key usage); server certificates cannot identify callers.");

        var (name, unit) = CertificateSubject.Read(clientCertificate.SubjectName);
        if (name is null || !FederationRoleNames.TryParse(unit, out var role))
            return FederationIdentityResult.Failure($"certificate subject '{clientCertificate.Subject}' does not carry a federation identity (one CN for the name, one OU for the role).");

        var nameProblem = role switch
        {
            FederationRole.Participant => FederationNames.ValidateParticipantId(name),
            FederationRole.Admin => FederationNames.ValidateAdminName(name),
            _ => "a server certificate cannot identify a caller.",
        };
        return nameProblem is null
            ? FederationIdentityResult.Success(new FederationIdentity(role, name))
            : FederationIdentityResult.Failure(nameProblem);
    }

    private bool IssuedByThisAuthority(X509Certificate2 certificate, DateTime now, out string problem) =>
        FederationChain.IssuedBy(certificate, _certificateAuthority, now, out problem);

    private static string Format(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
