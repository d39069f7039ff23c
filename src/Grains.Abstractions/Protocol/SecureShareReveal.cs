namespace FedDistill.Grains.Protocol;

/// <summary>
/// Secure summation, last step: what a surviving organization reveals so that the aggregator can
/// remove the masks from the sum: its share of every survivor's self-mask seed and of every
/// dropped organization's masking key, never both for one organization.
/// </summary>
/// <param name="From">The survivor revealing these shares.</param>
/// <param name="SelfMaskSeedShares">Shares of survivors' self-mask seeds, by owner.</param>
/// <param name="MaskingKeyShares">Shares of dropped organizations' masking keys, by owner.</param>
[GenerateSerializer, Immutable]
public sealed record SecureShareReveal(
    [property: Id(0)] string From,
    [property: Id(1)] Dictionary<string, SecureSecretShare> SelfMaskSeedShares,
    [property: Id(2)] Dictionary<string, SecureSecretShare> MaskingKeyShares);
