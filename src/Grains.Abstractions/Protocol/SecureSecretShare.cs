namespace FedDistill.Grains.Protocol;

/// <summary>One Shamir share over GF(2^8): its point (1 to 255) and one polynomial value per secret byte.</summary>
/// <param name="X">The evaluation point.</param>
/// <param name="Y">The polynomial values.</param>
[GenerateSerializer, Immutable]
public sealed record SecureSecretShare(
    [property: Id(0)] byte X,
    [property: Id(1)] byte[] Y);
