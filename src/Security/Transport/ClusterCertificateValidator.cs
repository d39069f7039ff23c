using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security;

/// <summary>
/// Decides who may hold a TLS connection of the federation's Orleans cluster, from the peer's
/// certificate alone: issued by the federation's CA (custom root trust, nothing else), inside its
/// validity period, not a CA, and the identity the connection needs. A silo (silo port, and the
/// gateway's answer to a console) presents a silo certificate, <see cref="CertificateAuthority.IssueSilo"/>:
/// serverAuth and clientAuth, CN = its site, role <c>server</c> for <see cref="FederationNames.AggregatorSite"/>
/// and <c>participant</c> for an organization. A console presents an admin certificate.
/// </summary>
/// <remarks>
/// Each check returns null when the certificate passes, otherwise a sentence saying why not, for
/// logs and error messages. Thread-safe; the caller keeps the CA certificate alive while it is used.
/// </remarks>
public sealed class ClusterCertificateValidator
{
    private readonly X509Certificate2 _authority;
    private readonly TimeProvider _time;

    /// <summary>Creates a validator that trusts only <paramref name="certificateAuthority"/>.</summary>
    /// <param name="certificateAuthority">The federation's CA certificate (<c>ca.crt</c>).</param>
    /// <param name="timeProvider">The clock for validity checks; the system clock when null.</param>
    /// <exception cref="ArgumentException">The certificate is not a CA certificate.</exception>
    public ClusterCertificateValidator(X509Certificate2 certificateAuthority, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(certificateAuthority);
        if (!CertificateSubject.IsCertificateAuthority(certificateAuthority))
            throw new ArgumentException($"Certificate '{certificateAuthority.Subject}' is not a CA certificate (its basic constraints do not allow issuing).", nameof(certificateAuthority));
        _authority = certificateAuthority;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Checks a silo's certificate: the CA's, valid now, both TLS usages, and a site identity; when
    /// <paramref name="expectedSite"/> is given, the certificate must name that site.
    /// </summary>
    /// <param name="certificate">The certificate; null when the peer presented none.</param>
    /// <param name="expectedSite">The <c>SiloName</c> the peer must be, or null for any site of the federation.</param>
    /// <returns>Null when it passes, else why not.</returns>
    public string? CheckSilo(X509Certificate2? certificate, string? expectedSite = null)
    {
        if (Common(certificate) is { } problem) return problem;
        if (!CertificateSubject.HasExtendedKeyUsage(certificate!, CertificateSubject.ServerAuthenticationOid)
            || !CertificateSubject.HasExtendedKeyUsage(certificate!, CertificateSubject.ClientAuthenticationOid))
            return $"certificate '{certificate!.Subject}' is not a silo certificate (a silo's has both the serverAuth and clientAuth usages; issue one with 'feddistill admin issue silo').";
        if (SiteOf(certificate!) is not { } site)
            return $"certificate '{certificate!.Subject}' names no site of the federation (CN 'aggregator' with OU 'server', or an organization's id with OU 'participant').";
        return expectedSite is null || string.Equals(site, expectedSite, StringComparison.Ordinal)
            ? null
            : $"certificate names site '{site}', but the silo is '{expectedSite}'.";
    }

    /// <summary>Checks a console's certificate: the CA's, valid now, clientAuth, role admin.</summary>
    /// <param name="certificate">The certificate; null when the peer presented none.</param>
    /// <returns>Null when it passes, else why not.</returns>
    public string? CheckAdmin(X509Certificate2? certificate)
    {
        if (Common(certificate) is { } problem) return problem;
        if (!CertificateSubject.HasExtendedKeyUsage(certificate!, CertificateSubject.ClientAuthenticationOid))
            return $"certificate '{certificate!.Subject}' lacks the clientAuth usage.";
        var (name, unit) = CertificateSubject.Read(certificate!.SubjectName);
        return unit == FederationRoleNames.Admin && FederationNames.ValidateAdminName(name) is null
            ? null
            : $"certificate '{certificate.Subject}' is not an admin certificate (OU must be 'admin'; issue one with 'feddistill admin issue admin').";
    }

    /// <summary>The site a silo certificate names (its CN), or null when its subject is no site identity.</summary>
    public static string? SiteOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var (name, unit) = CertificateSubject.Read(certificate.SubjectName);
        return unit switch
        {
            FederationRoleNames.Server when name == FederationNames.AggregatorSite => name,
            FederationRoleNames.Participant when FederationNames.ValidateParticipantId(name) is null => name,
            _ => null,
        };
    }

    /// <summary>The identity a certificate's subject states (CN and OU), for logs; never a proof by itself.</summary>
    public static string Describe(X509Certificate2? certificate)
    {
        if (certificate is null) return "(no certificate)";
        var (name, unit) = CertificateSubject.Read(certificate.SubjectName);
        return $"{unit ?? "?"} '{name ?? certificate.Subject}'";
    }

    private string? Common(X509Certificate2? certificate)
    {
        if (certificate is null) return "no certificate was presented; every connection of the cluster needs one issued by the federation's CA.";
        var now = _time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime()) return $"certificate '{certificate.Subject}' is not valid before {Format(certificate.NotBefore)}.";
        if (now > certificate.NotAfter.ToUniversalTime()) return $"certificate '{certificate.Subject}' expired on {Format(certificate.NotAfter)}; ask the federation's admin for a new one.";
        if (!FederationChain.IssuedBy(certificate, _authority, now, out var problem)) return $"'{certificate.Subject}': {problem}";
        return CertificateSubject.IsCertificateAuthority(certificate) ? "a CA certificate cannot identify a silo or a console." : null;
    }

    private static string Format(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
