namespace FedDistill.Security.SecureSummation;

/// <summary>
/// What a surviving organization hands the aggregator at the end: for each other survivor, its
/// share of that survivor's self-mask seed; for each organization that dropped after sharing
/// keys, its share of that organization's masking private key. Never both for one organization,
/// which is what keeps every single upload hidden.
/// </summary>
/// <param name="From">The survivor revealing these shares.</param>
/// <param name="SelfMaskSeedShares">Shares of survivors' self-mask seeds, by owner (the revealer's own included).</param>
/// <param name="MaskingKeyShares">Shares of dropped organizations' masking private keys, by owner.</param>
public sealed record RevealedShares(
    string From,
    IReadOnlyDictionary<string, SecretShare> SelfMaskSeedShares,
    IReadOnlyDictionary<string, SecretShare> MaskingKeyShares);
