using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security;

/// <summary>
/// The federation's own certificate authority: a self-signed ECDSA P-256 CA kept as PEM
/// <c>ca.crt</c> and <c>ca.key</c> in one directory, which issues silo (organization and
/// aggregator), admin and server certificates. Identity encoding: subject CN = the name, OU = the role
/// (<see cref="FederationRoleNames"/>), O = the federation's name.
/// </summary>
/// <remarks>
/// Disposing releases the CA's private key. Issued keys are written unencrypted (PKCS#8 PEM) with
/// mode 0600 on Unix; hand them to their owners over a channel you trust.
/// </remarks>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>The file name of the CA certificate inside the CA directory.</summary>
    public const string CertificateFileName = "ca.crt";

    /// <summary>The file name of the CA private key inside the CA directory.</summary>
    public const string KeyFileName = "ca.key";

    /// <summary>The file name stem that <see cref="IssueServer"/> uses unless told otherwise.</summary>
    public const string DefaultServerName = "server";

    /// <summary>How long issued certificates are valid unless told otherwise: 365 days.</summary>
    public static readonly TimeSpan DefaultCertificateValidity = TimeSpan.FromDays(365);

    // Tolerate clocks a little behind the issuer's.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly X509Certificate2 _certificate;
    private readonly TimeProvider _timeProvider;

    private CertificateAuthority(string directory, X509Certificate2 certificate, TimeProvider timeProvider)
    {
        Directory = directory;
        _certificate = certificate;
        _timeProvider = timeProvider;
    }

    /// <summary>The absolute directory holding <c>ca.crt</c> and <c>ca.key</c>.</summary>
    public string Directory { get; }

    /// <summary>Absolute path of <c>ca.crt</c>; this is the file every silo and participant trusts.</summary>
    public string CertificatePath => Path.Combine(Directory, CertificateFileName);

    /// <summary>Absolute path of <c>ca.key</c>.</summary>
    public string KeyPath => Path.Combine(Directory, KeyFileName);

    /// <summary>The federation's name, from the CA subject's O attribute.</summary>
    public string FederationName => _certificate.SubjectName.EnumerateRelativeDistinguishedNames()
        .Where(attribute => !attribute.HasMultipleElements && attribute.GetSingleElementType().Value == "2.5.4.10")
        .Select(attribute => attribute.GetSingleElementValue())
        .FirstOrDefault() ?? "";

    /// <summary>A copy of the CA certificate without its private key; the caller owns (and disposes) it.</summary>
    public X509Certificate2 GetPublicCertificate() => X509CertificateLoader.LoadCertificate(_certificate.RawData);

    /// <summary>
    /// Creates a new CA in <paramref name="directory"/> (created if missing, owner-only on Unix).
    /// </summary>
    /// <param name="directory">Where <c>ca.crt</c> and <c>ca.key</c> go.</param>
    /// <param name="federationName">The federation's name (see <see cref="FederationNames.ValidateFederationName"/>).</param>
    /// <param name="validity">How long the CA is valid; every certificate it issues ends no later than the CA.</param>
    /// <param name="overwrite">Replace an existing CA. Doing so invalidates every certificate the old CA issued.</param>
    /// <param name="timeProvider">The clock for validity periods; the system clock when null.</param>
    /// <exception cref="ArgumentException">An invalid name or a non-positive validity.</exception>
    /// <exception cref="CertificateAuthorityException">A CA already exists there and <paramref name="overwrite"/> is false, or the files cannot be written.</exception>
    public static CertificateAuthority Create(string directory, string federationName, TimeSpan validity, bool overwrite = false, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (FederationNames.ValidateFederationName(federationName) is { } problem) throw new ArgumentException(problem, nameof(federationName));
        if (validity <= TimeSpan.Zero) throw new ArgumentException($"CA validity is {validity}; it must be positive.", nameof(validity));
        timeProvider ??= TimeProvider.System;

        var full = Path.GetFullPath(directory);
        if (!overwrite && (File.Exists(Path.Combine(full, CertificateFileName)) || File.Exists(Path.Combine(full, KeyFileName))))
            throw new CertificateAuthorityException($"A CA already exists in {full}; refusing to overwrite it (that would invalidate every certificate it issued). Use another directory, or pass overwrite (--force).");
        full = WithIoErrors(() => PemFiles.EnsureDirectory(full), full);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = CertificateSubject.Build($"{federationName} federation CA", null, federationName);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = timeProvider.GetUtcNow();
        using var selfSigned = request.CreateSelfSigned(now - ClockSkew, now + validity);
        var certificatePath = Path.Combine(full, CertificateFileName);
        var keyPath = Path.Combine(full, KeyFileName);
        WithIoErrors(() => PemFiles.WritePair(certificatePath, selfSigned.ExportCertificatePem(), keyPath, key.ExportPkcs8PrivateKeyPem(), overwrite), full);
        return Load(full, timeProvider);
    }

    /// <summary>Loads the CA in <paramref name="directory"/> to issue certificates.</summary>
    /// <param name="directory">The directory holding <c>ca.crt</c> and <c>ca.key</c>.</param>
    /// <param name="timeProvider">The clock for validity periods; the system clock when null.</param>
    /// <exception cref="CertificateAuthorityException">A file is missing or corrupt, the key does not match, the key is readable by others, or the certificate is not a CA.</exception>
    public static CertificateAuthority Load(string directory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        var certificatePath = Path.Combine(full, CertificateFileName);
        var keyPath = Path.Combine(full, KeyFileName);
        if (!File.Exists(certificatePath) && !File.Exists(keyPath))
            throw new CertificateAuthorityException($"There is no CA in {full} (no {CertificateFileName} or {KeyFileName}); create one with 'feddistill admin ca create --dir {full} --name NAME'.");

        var certificate = PemFiles.LoadCertificateWithKey(certificatePath, keyPath, "CA", requireOwnerOnlyKey: true);
        if (!CertificateSubject.IsCertificateAuthority(certificate) || certificate.GetECDsaPrivateKey() is not { } ecdsa)
        {
            certificate.Dispose();
            throw new CertificateAuthorityException($"{certificatePath} is not an ECDSA CA certificate (basic constraints CA missing); was the wrong file copied there?");
        }
        ecdsa.Dispose();
        return new CertificateAuthority(full, certificate, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Issues an admin client certificate as <c>&lt;name&gt;.crt/.key</c> in <paramref name="outputDirectory"/>.</summary>
    /// <param name="name">The admin's name (<see cref="FederationNames.ValidateAdminName"/>), e.g. <c>admin</c>.</param>
    /// <param name="outputDirectory">Where the files go (created if missing, owner-only on Unix).</param>
    /// <param name="validity">How long the certificate is valid; <see cref="DefaultCertificateValidity"/> when null; cut at the CA's end.</param>
    /// <param name="overwrite">Replace existing files of that name.</param>
    /// <exception cref="ArgumentException">An invalid name or validity.</exception>
    /// <exception cref="CertificateAuthorityException">Files exist and <paramref name="overwrite"/> is false, or writing failed.</exception>
    public IssuedCertificate IssueAdmin(string name, string outputDirectory, TimeSpan? validity = null, bool overwrite = false)
    {
        if (FederationNames.ValidateAdminName(name) is { } problem) throw new ArgumentException(problem, nameof(name));
        return Issue(new FederationIdentity(FederationRole.Admin, name), name, [], outputDirectory, validity, overwrite);
    }

    /// <summary>
    /// Issues a silo's TLS server certificate (EKU serverAuth, a SAN DNS or IP entry per host) as
    /// <c>&lt;name&gt;.crt/.key</c> in <paramref name="outputDirectory"/>.
    /// </summary>
    /// <param name="hostNamesOrIps">The DNS names and IP addresses clients dial; at least one.</param>
    /// <param name="outputDirectory">Where the files go (created if missing, owner-only on Unix).</param>
    /// <param name="name">The subject CN and file name stem; <see cref="DefaultServerName"/> unless told otherwise.</param>
    /// <param name="validity">How long the certificate is valid; <see cref="DefaultCertificateValidity"/> when null; cut at the CA's end.</param>
    /// <param name="overwrite">Replace existing files of that name.</param>
    /// <exception cref="ArgumentException">No hosts, an invalid host, name or validity.</exception>
    /// <exception cref="CertificateAuthorityException">Files exist and <paramref name="overwrite"/> is false, or writing failed.</exception>
    public IssuedCertificate IssueServer(IEnumerable<string> hostNamesOrIps, string outputDirectory, string name = DefaultServerName, TimeSpan? validity = null, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(hostNamesOrIps);
        var hosts = hostNamesOrIps.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (hosts.Count == 0) throw new ArgumentException("A server certificate needs at least one host name or IP address.", nameof(hostNamesOrIps));
        foreach (var host in hosts)
        {
            if (FederationNames.ValidateHostNameOrAddress(host) is { } hostProblem) throw new ArgumentException(hostProblem, nameof(hostNamesOrIps));
        }
        if (FederationNames.ValidateAdminName(name) is not null)
            throw new ArgumentException($"server certificate name '{name}' is not valid: use lower-case letters, digits or dashes (pattern {FederationNames.IdentityNamePattern}).", nameof(name));
        return Issue(new FederationIdentity(FederationRole.Server, name), name, hosts, outputDirectory, validity, overwrite);
    }

    /// <summary>
    /// Issues a silo's certificate for the Orleans cluster's mutual TLS as <c>&lt;siteName&gt;.crt/.key</c>:
    /// CN = the site (<c>aggregator</c>, role <c>server</c>; or an organization's id, role
    /// <c>participant</c>), EKU serverAuth and clientAuth (a silo accepts connections and opens
    /// them), SAN DNS entries for the site name and each host.
    /// </summary>
    /// <param name="siteName">The silo's <c>SiloName</c>: <see cref="FederationNames.AggregatorSite"/> or a participant id.</param>
    /// <param name="hostNamesOrIps">The DNS names and IP addresses the silo is reached at; may be empty.</param>
    /// <param name="outputDirectory">Where the files go (created if missing, owner-only on Unix).</param>
    /// <param name="validity">How long the certificate is valid; <see cref="DefaultCertificateValidity"/> when null; cut at the CA's end.</param>
    /// <param name="overwrite">Replace existing files of that name.</param>
    /// <exception cref="ArgumentException">An invalid site name, host or validity.</exception>
    /// <exception cref="CertificateAuthorityException">Files exist and <paramref name="overwrite"/> is false, or writing failed.</exception>
    public IssuedCertificate IssueSilo(string siteName, IEnumerable<string> hostNamesOrIps, string outputDirectory, TimeSpan? validity = null, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(hostNamesOrIps);
        var aggregator = siteName == FederationNames.AggregatorSite;
        if (!aggregator && FederationNames.ValidateParticipantId(siteName) is { } problem) throw new ArgumentException(problem, nameof(siteName));
        var hosts = new[] { siteName }.Concat(hostNamesOrIps).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var host in hosts)
        {
            if (FederationNames.ValidateHostNameOrAddress(host) is { } hostProblem) throw new ArgumentException(hostProblem, nameof(hostNamesOrIps));
        }

        var identity = new FederationIdentity(aggregator ? FederationRole.Server : FederationRole.Participant, siteName);
        return Issue(identity, siteName, hosts, outputDirectory, validity, overwrite,
            [CertificateSubject.ServerAuthenticationOid, CertificateSubject.ClientAuthenticationOid]);
    }

    /// <summary>Releases the CA's private key.</summary>
    public void Dispose() => _certificate.Dispose();

    private IssuedCertificate Issue(FederationIdentity identity, string fileStem, IReadOnlyList<string> hosts, string outputDirectory, TimeSpan? validity, bool overwrite,
        IReadOnlyList<string>? usages = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var lifetime = validity ?? DefaultCertificateValidity;
        if (lifetime <= TimeSpan.Zero) throw new ArgumentException($"certificate validity is {lifetime}; it must be positive.", nameof(validity));

        var now = _timeProvider.GetUtcNow();
        var caNotBefore = new DateTimeOffset(_certificate.NotBefore.ToUniversalTime());
        var caNotAfter = new DateTimeOffset(_certificate.NotAfter.ToUniversalTime());
        if (now >= caNotAfter)
            throw new CertificateAuthorityException($"The CA in {Directory} expired on {caNotAfter:u}; create a new CA and re-issue every certificate.");
        var notBefore = Max(now - ClockSkew, caNotBefore);
        var notAfter = Min(now + lifetime, caNotAfter);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(
            CertificateSubject.Build(identity.Name, FederationRoleNames.ToName(identity.Role), FederationName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        usages ??= [identity.Role == FederationRole.Server ? CertificateSubject.ServerAuthenticationOid : CertificateSubject.ClientAuthenticationOid];
        var usageOids = new OidCollection();
        foreach (var usage in usages) usageOids.Add(new Oid(usage));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usageOids, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (hosts.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var host in hosts)
            {
                if (IPAddress.TryParse(host, out var address)) names.AddIpAddress(address);
                else names.AddDnsName(host.ToLowerInvariant());
            }
            request.CertificateExtensions.Add(names.Build(critical: false));
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive INTEGER
        using var certificate = request.Create(_certificate, notBefore, notAfter, serial);

        var directory = WithIoErrors(() => PemFiles.EnsureDirectory(outputDirectory), outputDirectory);
        var certificatePath = Path.Combine(directory, fileStem + ".crt");
        var keyPath = Path.Combine(directory, fileStem + ".key");
        WithIoErrors(() => PemFiles.WritePair(certificatePath, certificate.ExportCertificatePem(), keyPath, key.ExportPkcs8PrivateKeyPem(), overwrite), directory);
        return new IssuedCertificate(identity, certificatePath, keyPath, notBefore, notAfter,
            certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static T WithIoErrors<T>(Func<T> action, string directory)
    {
        try
        {
            return action();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CertificateAuthorityException($"Could not write to {directory}: {exception.Message}", exception);
        }
    }

    private static void WithIoErrors(Action action, string directory) => WithIoErrors(() => { action(); return 0; }, directory);
}
