namespace FedDistill.Grains.Protocol;

/// <summary>
/// Secure summation, step 1: an organization's two fresh P-256 public keys for one round, signed
/// with the ECDSA key of its federation certificate, which travels along so that every peer and
/// the aggregator can check it chains to the federation's CA.
/// </summary>
/// <param name="ParticipantId">The organization, as its certificate's CN.</param>
/// <param name="EncryptionPublicKey">The share-encryption key, DER SubjectPublicKeyInfo.</param>
/// <param name="MaskingPublicKey">The pairwise-mask key, DER SubjectPublicKeyInfo.</param>
/// <param name="Certificate">The organization's federation certificate, DER.</param>
/// <param name="Signature">ECDSA P-256 SHA-256 over the federation, round, id and both keys.</param>
[GenerateSerializer, Immutable]
public sealed record SecureKeyAdvertisement(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] byte[] EncryptionPublicKey,
    [property: Id(2)] byte[] MaskingPublicKey,
    [property: Id(3)] byte[] Certificate,
    [property: Id(4)] byte[] Signature);
