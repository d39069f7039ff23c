namespace FedDistill.Security.SecureSummation;

/// <summary>
/// One share of a secret split by <see cref="ShamirSecretSharing"/>: the evaluation point
/// <paramref name="X"/> (1 to 255, the holder's position in the round) and, for every byte of the
/// secret, the value of that byte's polynomial at X.
/// </summary>
/// <param name="X">The evaluation point, 1 to 255; never 0 (the secret itself sits at 0).</param>
/// <param name="Y">The polynomial values, one per secret byte.</param>
public sealed record SecretShare(byte X, byte[] Y);
