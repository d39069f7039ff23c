namespace FedDistill.Grains.Protocol;

/// <summary>
/// Secure summation, step 2: one organization's Shamir shares of its masking key and self-mask
/// seed for one peer, AES-256-GCM encrypted under a key only the two of them can derive; the
/// aggregator relays it unread.
/// </summary>
/// <param name="From">The organization whose secrets these are shares of.</param>
/// <param name="To">The peer that holds them.</param>
/// <param name="Nonce">The 12-byte GCM nonce.</param>
/// <param name="Ciphertext">The encrypted shares.</param>
/// <param name="Tag">The 16-byte GCM tag.</param>
[GenerateSerializer, Immutable]
public sealed record SecureShareBundle(
    [property: Id(0)] string From,
    [property: Id(1)] string To,
    [property: Id(2)] byte[] Nonce,
    [property: Id(3)] byte[] Ciphertext,
    [property: Id(4)] byte[] Tag);
