namespace FedDistill.Grains.Persistence;

/// <summary>The federation itself: one per aggregator.</summary>
/// <param name="Name">Human name of the federation.</param>
/// <param name="PublicSetFingerprint">SHA-256 (hex) of the public set every participant computes logits on.</param>
/// <param name="CreatedAt">When the federation was first started.</param>
/// <param name="SettingsJson">The federation's settings as JSON (public set, student model...), opaque to the store.</param>
public sealed record FederationRecord(string Name, string PublicSetFingerprint, DateTimeOffset CreatedAt, string SettingsJson);
