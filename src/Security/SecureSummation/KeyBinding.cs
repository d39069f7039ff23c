using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security.SecureSummation;

/// <summary>
/// Binds an organization's per-round key-agreement keys to its federation certificate: it signs
/// them, with the input scale the organization needs, with the certificate's ECDSA key
/// (<see cref="Sign"/>), and every peer and the aggregator check (<see cref="Verify"/>) that the
/// certificate chains to the federation's CA, names a participant whose id is the advertised one,
/// and signed exactly these keys and this scale exponent for this federation and round. Without
/// the binding an aggregator could stand in for every peer and learn each upload on its own; the
/// exponent is signed so that it cannot change the scale every party derives.
/// </summary>
/// <remarks>Thread-safe; the caller keeps ownership of the CA certificate and keeps it alive while this is used.</remarks>
public sealed class KeyBinding
{
    private readonly FederationIdentityResolver _resolver;

    /// <summary>Creates a binding checker that trusts only <paramref name="certificateAuthority"/>.</summary>
    /// <param name="certificateAuthority">The federation's CA certificate (public part).</param>
    /// <param name="timeProvider">The clock for certificate validity; the system clock when null.</param>
    public KeyBinding(X509Certificate2 certificateAuthority, TimeProvider? timeProvider = null) =>
        _resolver = new FederationIdentityResolver(certificateAuthority, timeProvider);

    /// <summary>Signs an organization's two public keys and its input-scale exponent for one session.</summary>
    /// <param name="session">The federation and round the keys are for.</param>
    /// <param name="certificate">The organization's federation certificate with its ECDSA private key.</param>
    /// <param name="encryptionKey">The share-encryption key pair.</param>
    /// <param name="maskingKey">The pairwise-mask key pair.</param>
    /// <param name="scaleExponent">The input scale the organization needs (<see cref="InputScale.Exponent(double, double)"/>).</param>
    /// <returns>The advertisement to send to the aggregator.</returns>
    /// <exception cref="SecureSummationException">The certificate has no ECDSA private key, or no participant name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scaleExponent"/> is outside [<see cref="InputScale.MinExponent"/>, <see cref="InputScale.MaxExponent"/>].</exception>
    public static KeyAdvertisement Sign(SecureSummationSession session, X509Certificate2 certificate, ECDiffieHellman encryptionKey, ECDiffieHellman maskingKey, int scaleExponent)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!InputScale.IsValid(scaleExponent))
            throw new ArgumentOutOfRangeException(nameof(scaleExponent), scaleExponent, $"A scale exponent lies in [{InputScale.MinExponent}, {InputScale.MaxExponent}].");
        using var signer = certificate.GetECDsaPrivateKey()
            ?? throw new SecureSummationException($"Certificate '{certificate.Subject}' has no ECDSA private key to sign secure-summation keys with.");
        var (name, _) = CertificateSubject.Read(certificate.SubjectName);
        if (name is null) throw new SecureSummationException($"Certificate '{certificate.Subject}' has no CN naming a participant.");
        var encryption = encryptionKey.ExportSubjectPublicKeyInfo();
        var masking = maskingKey.ExportSubjectPublicKeyInfo();
        var signature = signer.SignData(SignedBytes(session, name, encryption, masking, scaleExponent), HashAlgorithmName.SHA256);
        return new KeyAdvertisement(name, encryption, masking, certificate.RawData, signature, scaleExponent);
    }

    /// <summary>Checks an advertisement (its keys and its scale exponent) and returns its two public keys, which the caller owns (disposes).</summary>
    /// <param name="session">The federation and round the keys must be for.</param>
    /// <param name="advertisement">What the organization sent.</param>
    /// <exception cref="SecureSummationException">The certificate does not chain to the CA, is not a participant's, names another organization, the scale exponent is out of range, or the signature or a key is invalid; the message says which.</exception>
    public (ECDiffieHellman Encryption, ECDiffieHellman Masking) Verify(SecureSummationSession session, KeyAdvertisement advertisement)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(advertisement);
        var who = advertisement.ParticipantId;
        if (!InputScale.IsValid(advertisement.ScaleExponent))
            throw new SecureSummationException($"'{who}' advertised the scale exponent {advertisement.ScaleExponent}, outside [{InputScale.MinExponent}, {InputScale.MaxExponent}].");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(advertisement.Certificate);
        }
        catch (CryptographicException exception)
        {
            throw new SecureSummationException($"The secure-summation keys of '{who}' come with a certificate that cannot be read: {exception.Message}", exception);
        }
        using (certificate)
        {
            var identity = _resolver.Resolve(certificate);
            if (!identity.Succeeded)
                throw new SecureSummationException($"The secure-summation keys of '{who}' are not bound to a certificate of this federation: {identity.FailureReason}");
            if (identity.Identity!.Role != FederationRole.Participant || identity.Identity.Name != who)
                throw new SecureSummationException($"The secure-summation keys of '{who}' are signed by the certificate of {identity.Identity.Role} '{identity.Identity.Name}', not by '{who}'.");
            using var verifier = certificate.GetECDsaPublicKey()
                ?? throw new SecureSummationException($"The certificate of '{who}' has no ECDSA key.");
            if (!verifier.VerifyData(SignedBytes(session, who, advertisement.EncryptionPublicKey, advertisement.MaskingPublicKey, advertisement.ScaleExponent), advertisement.Signature, HashAlgorithmName.SHA256))
                throw new SecureSummationException($"The signature on the secure-summation keys and scale exponent of '{who}' does not verify for federation '{session.FederationName}', round {session.Round}.");
        }
        var encryption = ImportP256(advertisement.EncryptionPublicKey, who, "encryption");
        try
        {
            return (encryption, ImportP256(advertisement.MaskingPublicKey, who, "masking"));
        }
        catch
        {
            encryption.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The bytes an organization signs: a domain label, the federation, the round and its id
    /// (through <see cref="SecureSummationSession"/>'s context), then both keys, each length-prefixed,
    /// then the scale exponent (32-bit big-endian, two's complement).
    /// </summary>
    public static byte[] SignedBytes(SecureSummationSession session, string participantId, ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> maskingKey, int scaleExponent)
    {
        ArgumentNullException.ThrowIfNull(session);
        var context = session.Context("key-advertisement", participantId, "");
        var bytes = new byte[context.Length + 12 + encryptionKey.Length + maskingKey.Length];
        var span = bytes.AsSpan();
        context.CopyTo(span);
        span = span[context.Length..];
        BinaryPrimitives.WriteInt32BigEndian(span, encryptionKey.Length);
        encryptionKey.CopyTo(span[4..]);
        span = span[(4 + encryptionKey.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, maskingKey.Length);
        maskingKey.CopyTo(span[4..]);
        span = span[(4 + maskingKey.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, scaleExponent);
        return bytes;
    }

    // A public-only key object: DeriveRawSecretAgreement takes its PublicKey.
    private static ECDiffieHellman ImportP256(byte[] subjectPublicKeyInfo, string who, string role)
    {
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
            var parameters = key.ExportParameters(false);
            if (read != subjectPublicKeyInfo.Length || parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                throw new SecureSummationException($"The {role} key of '{who}' is not a P-256 public key.");
            return key;
        }
        catch (CryptographicException exception)
        {
            key.Dispose();
            throw new SecureSummationException($"The {role} key of '{who}' cannot be read: {exception.Message}", exception);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
