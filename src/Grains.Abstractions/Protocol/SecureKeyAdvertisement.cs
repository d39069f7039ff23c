namespace FedDistill.Grains.Protocol;

/// <summary>
/// Secure summation, step 1: an organization's two fresh P-256 public keys for one round and the
/// weight scale its own data needs, signed with the ECDSA key of its federation certificate, which
/// travels along so that every peer and the aggregator can check it chains to the federation's CA.
/// </summary>
/// <param name="ParticipantId">The organization, as its certificate's CN.</param>
/// <param name="EncryptionPublicKey">The share-encryption key, DER SubjectPublicKeyInfo.</param>
/// <param name="MaskingPublicKey">The pairwise-mask key, DER SubjectPublicKeyInfo.</param>
/// <param name="Certificate">The organization's federation certificate, DER.</param>
/// <param name="Signature">ECDSA P-256 SHA-256 over the federation, round, id, both keys and the scale exponent.</param>
/// <param name="ScaleExponent">
/// The smallest e such that the organization's own count-based ensemble weights (private examples,
/// class counts), divided by 2^e, make sums that fit the round's ring; every party divides by
/// 2^(largest e advertised), the round's weight scale. 0 for strategies whose weights are at most 1 a teacher.
/// </param>
[GenerateSerializer, Immutable]
public sealed record SecureKeyAdvertisement(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] byte[] EncryptionPublicKey,
    [property: Id(2)] byte[] MaskingPublicKey,
    [property: Id(3)] byte[] Certificate,
    [property: Id(4)] byte[] Signature,
    [property: Id(5)] int ScaleExponent = 0);
