using FedDistill.Grains.Protocol;
using FedDistill.Security.SecureSummation;

namespace FedDistill.Grains.SecureSummation;

/// <summary>Converts between the secure-summation library's records and the grain messages that carry them.</summary>
internal static class SecureMessages
{
    public static SecureKeyAdvertisement ToMessage(this KeyAdvertisement value) =>
        new(value.ParticipantId, value.EncryptionPublicKey, value.MaskingPublicKey, value.Certificate, value.Signature, value.ScaleExponent);

    public static KeyAdvertisement FromMessage(this SecureKeyAdvertisement value) =>
        new(value.ParticipantId, value.EncryptionPublicKey, value.MaskingPublicKey, value.Certificate, value.Signature, value.ScaleExponent);

    public static SecureShareBundle ToMessage(this EncryptedShare value) => new(value.From, value.To, value.Nonce, value.Ciphertext, value.Tag);

    public static EncryptedShare FromMessage(this SecureShareBundle value) => new(value.From, value.To, value.Nonce, value.Ciphertext, value.Tag);

    public static SecureShareReveal ToMessage(this RevealedShares value) =>
        new(value.From,
            value.SelfMaskSeedShares.ToDictionary(pair => pair.Key, pair => new SecureSecretShare(pair.Value.X, pair.Value.Y), StringComparer.Ordinal),
            value.MaskingKeyShares.ToDictionary(pair => pair.Key, pair => new SecureSecretShare(pair.Value.X, pair.Value.Y), StringComparer.Ordinal));

    public static RevealedShares FromMessage(this SecureShareReveal value) =>
        new(value.From,
            (value.SelfMaskSeedShares ?? []).ToDictionary(pair => pair.Key, pair => new SecretShare(pair.Value.X, pair.Value.Y), StringComparer.Ordinal),
            (value.MaskingKeyShares ?? []).ToDictionary(pair => pair.Key, pair => new SecretShare(pair.Value.X, pair.Value.Y), StringComparer.Ordinal));
}
