using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security.SecureSummation;

/// <summary>
/// One organization's side of a secure summation (Bonawitz et al., CCS 2017, "SecAgg", semi-honest
/// variant with double masking), one instance per round, its four steps called in order:
/// <list type="number">
/// <item><see cref="Advertise"/>: two fresh P-256 key pairs and the input scale it needs, signed with the federation certificate.</item>
/// <item><see cref="ShareKeys"/>: verifies every peer's keys, fixes the round's input scale (<see cref="ScaleExponent"/>), splits its masking private key and a fresh self-mask seed t-of-n (Shamir) and encrypts one share of each to every peer.</item>
/// <item><see cref="MaskInput"/>: decrypts the shares it holds and returns its input in the ring plus its self mask and the pairwise masks with every peer that shared keys.</item>
/// <item><see cref="RevealShares"/>: given who survived, reveals its share of each survivor's self-mask seed and of each dropped organization's masking key, never both for one organization.</item>
/// </list>
/// </summary>
/// <remarks>
/// The pairwise mask between organizations i and j is PRG(HKDF(ECDH(s_i, s_j), federation, round, i, j));
/// the lower id in ordinal order adds it and the higher subtracts it, so the masks cancel in the
/// sum. Not thread-safe; each step may be called once. Dispose to release the key pairs.
/// </remarks>
public sealed class SecureSummationParticipant : IDisposable
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly SecureSummationSession _session;
    private readonly X509Certificate2 _certificate;
    private readonly KeyBinding _binding;
    private readonly ECDiffieHellman _encryptionKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDiffieHellman _maskingKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly Dictionary<string, (ECDiffieHellman Encryption, ECDiffieHellman Masking)> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SecretShare MaskingKey, SecretShare SelfMaskSeed)> _heldShares = new(StringComparer.Ordinal);
    private readonly byte[] _selfMaskSeed = RandomNumberGenerator.GetBytes(MaskGenerator.SeedBytes);
    private KeyAdvertisement? _advertisement;
    private string[] _shareholders = [];
    private string[] _maskedWith = [];
    private bool _revealed;

    /// <summary>Starts an organization's side of one round.</summary>
    /// <param name="session">The round's settings, the same at every party.</param>
    /// <param name="certificate">The organization's federation certificate with its ECDSA private key; the caller keeps ownership.</param>
    /// <param name="binding">Checks peers' keys against the federation's CA.</param>
    /// <exception cref="ArgumentException">The session is invalid.</exception>
    public SecureSummationParticipant(SecureSummationSession session, X509Certificate2 certificate, KeyBinding binding)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(binding);
        session.EnsureValid();
        _session = session;
        _certificate = certificate;
        _binding = binding;
        ParticipantId = CertificateSubject.Read(certificate.SubjectName).CommonName
            ?? throw new ArgumentException($"Certificate '{certificate.Subject}' has no CN naming a participant.", nameof(certificate));
    }

    /// <summary>The organization, as its certificate's CN.</summary>
    public string ParticipantId { get; }

    /// <summary>How many input values <see cref="MaskInput"/> clipped to the ring's bound.</summary>
    public int ClippedValues { get; private set; }

    /// <summary>
    /// The round's input scale, 2^<see cref="ScaleExponent"/>, set by <see cref="ShareKeys"/>: the
    /// largest exponent among the advertisements it verified, the same at every party.
    /// </summary>
    public int ScaleExponent { get; private set; }

    /// <summary>Step 1: this organization's signed public keys for the round.</summary>
    /// <param name="scaleExponent">The input scale this organization needs (<see cref="InputScale.Exponent(double, double)"/>); 0 when its input fits unscaled.</param>
    /// <exception cref="InvalidOperationException">Keys were already advertised with another exponent.</exception>
    public KeyAdvertisement Advertise(int scaleExponent = 0)
    {
        _advertisement ??= KeyBinding.Sign(_session, _certificate, _encryptionKey, _maskingKey, scaleExponent);
        if (_advertisement.ScaleExponent != scaleExponent)
            throw new InvalidOperationException($"'{ParticipantId}' already advertised its keys with the scale exponent {_advertisement.ScaleExponent}, not {scaleExponent}.");
        return _advertisement;
    }

    /// <summary>Step 2: checks every organization's keys and returns one encrypted share bundle per peer.</summary>
    /// <param name="advertisements">Every organization's advertisement as the aggregator collected them, this one's included.</param>
    /// <returns>One <see cref="EncryptedShare"/> for each other organization.</returns>
    /// <exception cref="SecureSummationException">A key is not bound to the federation, an id repeats, this organization's own keys are missing or altered, or fewer than t organizations take part.</exception>
    public IReadOnlyList<EncryptedShare> ShareKeys(IReadOnlyList<KeyAdvertisement> advertisements)
    {
        ArgumentNullException.ThrowIfNull(advertisements);
        if (_advertisement is null) throw new InvalidOperationException("Advertise comes before ShareKeys.");
        if (_shareholders.Length > 0) throw new InvalidOperationException("ShareKeys was already called this round.");
        var ids = advertisements.Select(advertisement => advertisement.ParticipantId).ToArray();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Length)
            throw new SecureSummationException($"Organization '{ids.GroupBy(id => id).First(group => group.Count() > 1).Key}' advertised keys twice.");
        if (ids.Length < _session.Threshold || ids.Length > ShamirSecretSharing.MaxShares)
            throw new SecureSummationException($"{ids.Length} organization(s) advertised keys; secure summation needs between the threshold {_session.Threshold} and {ShamirSecretSharing.MaxShares}.");
        var own = advertisements.SingleOrDefault(advertisement => advertisement.ParticipantId == ParticipantId);
        if (own is null || !own.MaskingPublicKey.AsSpan().SequenceEqual(_advertisement.MaskingPublicKey) || !own.EncryptionPublicKey.AsSpan().SequenceEqual(_advertisement.EncryptionPublicKey)
            || own.ScaleExponent != _advertisement.ScaleExponent)
            throw new SecureSummationException($"The advertisements do not carry the keys and scale exponent of '{ParticipantId}' as it sent them.");

        foreach (var advertisement in advertisements.Where(advertisement => advertisement.ParticipantId != ParticipantId))
            _peers[advertisement.ParticipantId] = _binding.Verify(_session, advertisement);
        ScaleExponent = InputScale.Exponent(advertisements);

        _shareholders = ids.Order(StringComparer.Ordinal).ToArray();
        var maskingSecret = _maskingKey.ExportECPrivateKey();
        var keyShares = ShamirSecretSharing.Split(maskingSecret, _shareholders.Length, _session.Threshold);
        var seedShares = ShamirSecretSharing.Split(_selfMaskSeed, _shareholders.Length, _session.Threshold);
        CryptographicOperations.ZeroMemory(maskingSecret);

        var bundles = new List<EncryptedShare>(_shareholders.Length - 1);
        for (var position = 0; position < _shareholders.Length; position++)
        {
            var holder = _shareholders[position];
            if (holder == ParticipantId)
            {
                _heldShares[ParticipantId] = (keyShares[position], seedShares[position]);
                continue;
            }
            bundles.Add(Encrypt(holder, keyShares[position], seedShares[position]));
        }
        return bundles;
    }

    /// <summary>Step 3: decrypts the shares addressed to this organization and masks its input.</summary>
    /// <param name="values">The input, <see cref="SecureSummationSession.VectorLength"/> values; clipped to the ring's bound (counted in <see cref="ClippedValues"/>).</param>
    /// <param name="sharesForMe">The share bundles the other organizations sent to this one; their senders are the organizations masked against.</param>
    /// <exception cref="SecureSummationException">A bundle is not for this organization, comes from an unknown or repeated sender, or does not decrypt; or fewer than t organizations remain.</exception>
    public MaskedInput MaskInput(ReadOnlySpan<float> values, IReadOnlyList<EncryptedShare> sharesForMe)
    {
        ArgumentNullException.ThrowIfNull(sharesForMe);
        if (_shareholders.Length == 0) throw new InvalidOperationException("ShareKeys comes before MaskInput.");
        if (_maskedWith.Length > 0) throw new InvalidOperationException("MaskInput was already called this round.");
        if (values.Length != _session.VectorLength)
            throw new ArgumentException($"The input has {values.Length} values; this round sums {_session.VectorLength}.", nameof(values));
        foreach (var bundle in sharesForMe) Decrypt(bundle);
        var senders = sharesForMe.Select(bundle => bundle.From).Append(ParticipantId).Order(StringComparer.Ordinal).ToArray();
        if (senders.Length < _session.Threshold)
            throw new SecureSummationException($"Only {senders.Length} organization(s) shared keys with '{ParticipantId}'; the threshold is {_session.Threshold}.");

        var masked = new uint[_session.VectorLength];
        ClippedValues = _session.Ring.Encode(values, masked);
        MaskGenerator.Apply(_selfMaskSeed, masked, subtract: false);
        foreach (var peer in senders.Where(id => id != ParticipantId))
        {
            var seed = _session.PairwiseSeed(_maskingKey, _peers[peer].Masking, ParticipantId, peer);
            MaskGenerator.Apply(seed, masked, subtract: string.CompareOrdinal(ParticipantId, peer) > 0);
            CryptographicOperations.ZeroMemory(seed);
        }
        // Only the low k bits travel; they are uniform in Z_2^k because the masks are uniform in Z_2^32.
        _session.Ring.Reduce(masked);
        _maskedWith = senders;
        return new MaskedInput(ParticipantId, masked);
    }

    /// <summary>Step 4: this organization's shares for unmasking, given who survived.</summary>
    /// <param name="survivors">The organizations whose masked inputs reached the aggregator, this one included.</param>
    /// <exception cref="SecureSummationException">A survivor never shared keys, this organization is not listed, fewer than t survive, or shares were already revealed for another list.</exception>
    public RevealedShares RevealShares(IReadOnlyCollection<string> survivors)
    {
        ArgumentNullException.ThrowIfNull(survivors);
        if (_maskedWith.Length == 0) throw new InvalidOperationException("MaskInput comes before RevealShares.");
        // A second answer for another list would hand out both shares of one organization.
        if (_revealed) throw new SecureSummationException($"'{ParticipantId}' has already revealed its shares this round; it reveals once.");
        var alive = survivors.ToHashSet(StringComparer.Ordinal);
        if (alive.Count != survivors.Count) throw new SecureSummationException("The survivor list repeats an organization.");
        if (!alive.Contains(ParticipantId)) throw new SecureSummationException($"'{ParticipantId}' is asked to reveal shares but is not listed as a survivor.");
        if (alive.FirstOrDefault(id => !_maskedWith.Contains(id)) is { } stranger)
            throw new SecureSummationException($"Survivor '{stranger}' never shared keys with '{ParticipantId}'.");
        if (alive.Count < _session.Threshold)
            throw new SecureSummationException($"Only {alive.Count} organization(s) survived; the threshold is {_session.Threshold}, so nothing is revealed.");
        _revealed = true;
        var seeds = new Dictionary<string, SecretShare>(StringComparer.Ordinal);
        var keys = new Dictionary<string, SecretShare>(StringComparer.Ordinal);
        foreach (var owner in _maskedWith)
        {
            if (alive.Contains(owner)) seeds[owner] = _heldShares[owner].SelfMaskSeed;
            else keys[owner] = _heldShares[owner].MaskingKey;
        }
        return new RevealedShares(ParticipantId, seeds, keys);
    }

    /// <summary>Releases the key pairs and the peers' keys, and wipes the self-mask seed.</summary>
    public void Dispose()
    {
        _encryptionKey.Dispose();
        _maskingKey.Dispose();
        foreach (var (encryption, masking) in _peers.Values)
        {
            encryption.Dispose();
            masking.Dispose();
        }
        CryptographicOperations.ZeroMemory(_selfMaskSeed);
    }

    private EncryptedShare Encrypt(string holder, SecretShare keyShare, SecretShare seedShare)
    {
        // Plaintext: the holder's point, the key share's length, the key share, the seed share.
        var plaintext = new byte[1 + 4 + keyShare.Y.Length + seedShare.Y.Length];
        plaintext[0] = keyShare.X;
        BinaryPrimitives.WriteInt32BigEndian(plaintext.AsSpan(1), keyShare.Y.Length);
        keyShare.Y.CopyTo(plaintext, 5);
        seedShare.Y.CopyTo(plaintext, 5 + keyShare.Y.Length);
        var key = _session.ShareKey(_encryptionKey, _peers[holder].Encryption, ParticipantId, holder);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagBytes];
        using (var aes = new AesGcm(key, TagBytes))
            aes.Encrypt(nonce, plaintext, ciphertext, tag, _session.Context("share", ParticipantId, holder));
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(plaintext);
        return new EncryptedShare(ParticipantId, holder, nonce, ciphertext, tag);
    }

    private void Decrypt(EncryptedShare bundle)
    {
        if (bundle.To != ParticipantId) throw new SecureSummationException($"A share bundle for '{bundle.To}' reached '{ParticipantId}'.");
        if (!_peers.TryGetValue(bundle.From, out var peer)) throw new SecureSummationException($"A share bundle comes from '{bundle.From}', which did not advertise keys this round.");
        if (_heldShares.ContainsKey(bundle.From)) throw new SecureSummationException($"'{bundle.From}' sent '{ParticipantId}' two share bundles.");
        if (bundle.Nonce.Length != NonceBytes || bundle.Tag.Length != TagBytes || bundle.Ciphertext.Length < 5 + MaskGenerator.SeedBytes)
            throw new SecureSummationException($"The share bundle from '{bundle.From}' is malformed.");
        var key = _session.ShareKey(_encryptionKey, peer.Encryption, ParticipantId, bundle.From);
        var plaintext = new byte[bundle.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(bundle.Nonce, bundle.Ciphertext, bundle.Tag, plaintext, _session.Context("share", bundle.From, ParticipantId));
        }
        catch (AuthenticationTagMismatchException exception)
        {
            throw new SecureSummationException($"The share bundle from '{bundle.From}' to '{ParticipantId}' does not decrypt (altered, or for another round).", exception);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        var point = plaintext[0];
        var keyLength = BinaryPrimitives.ReadInt32BigEndian(plaintext.AsSpan(1));
        var ownPoint = Array.IndexOf(_shareholders, ParticipantId) + 1;
        if (point != ownPoint || keyLength < 1 || 5 + keyLength + MaskGenerator.SeedBytes != plaintext.Length)
            throw new SecureSummationException($"The share bundle from '{bundle.From}' to '{ParticipantId}' has the wrong layout.");
        _heldShares[bundle.From] = (
            new SecretShare(point, plaintext.AsSpan(5, keyLength).ToArray()),
            new SecretShare(point, plaintext.AsSpan(5 + keyLength).ToArray()));
        CryptographicOperations.ZeroMemory(plaintext);
    }
}
