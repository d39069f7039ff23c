using FedDistill.Security.SecureSummation;

namespace FedDistill.Security.Tests.SecureSummation;

/// <summary>Everything an aggregator receives in one secure-summation round, in the order of the steps.</summary>
public sealed record AggregatorTranscript(
    IReadOnlyList<KeyAdvertisement> Advertisements,
    IReadOnlyList<EncryptedShare> Bundles,
    IReadOnlyList<MaskedInput> Masked,
    IReadOnlyList<RevealedShares> Reveals)
{
    /// <summary>Every byte string in the transcript, each message flattened.</summary>
    public IEnumerable<byte[]> Messages()
    {
        foreach (var advertisement in Advertisements)
            yield return [.. advertisement.EncryptionPublicKey, .. advertisement.MaskingPublicKey, .. advertisement.Certificate, .. advertisement.Signature];
        foreach (var bundle in Bundles) yield return [.. bundle.Nonce, .. bundle.Ciphertext, .. bundle.Tag];
        foreach (var input in Masked) yield return input.Values.SelectMany(BitConverter.GetBytes).ToArray();
        foreach (var reveal in Reveals)
            yield return reveal.SelfMaskSeedShares.Values.Concat(reveal.MaskingKeyShares.Values).SelectMany(share => share.Y.Prepend(share.X)).ToArray();
    }
}
