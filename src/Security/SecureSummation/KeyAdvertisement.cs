namespace FedDistill.Security.SecureSummation;

/// <summary>
/// An organization's two fresh P-256 public keys for one round (SecAgg's c_u for encrypting
/// shares and s_u for the pairwise masks) and the input scale it needs, signed with the ECDSA key
/// of its federation certificate, which travels along so every peer can check it chains to the
/// federation's CA.
/// </summary>
/// <param name="ParticipantId">The organization, as its certificate's CN.</param>
/// <param name="EncryptionPublicKey">The share-encryption key, DER SubjectPublicKeyInfo.</param>
/// <param name="MaskingPublicKey">The pairwise-mask key, DER SubjectPublicKeyInfo.</param>
/// <param name="Certificate">The organization's federation certificate, DER.</param>
/// <param name="Signature">ECDSA P-256 SHA-256 (IEEE P1363) over <see cref="KeyBinding.SignedBytes"/>.</param>
/// <param name="ScaleExponent">
/// The smallest e such that this organization's input, divided by 2^e, fits the ring, from its
/// own data (<see cref="InputScale"/>); every party divides by 2^(largest e advertised). Signed
/// with the keys, within [<see cref="InputScale.MinExponent"/>, <see cref="InputScale.MaxExponent"/>].
/// </param>
public sealed record KeyAdvertisement(
    string ParticipantId,
    byte[] EncryptionPublicKey,
    byte[] MaskingPublicKey,
    byte[] Certificate,
    byte[] Signature,
    int ScaleExponent = 0);
