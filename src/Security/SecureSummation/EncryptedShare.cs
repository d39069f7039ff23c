namespace FedDistill.Security.SecureSummation;

/// <summary>
/// One organization's shares for one peer (a share of its masking private key and a share of its
/// self-mask seed), AES-256-GCM encrypted under a key only the two of them can derive, so the
/// aggregator that relays it learns nothing from it.
/// </summary>
/// <param name="From">The organization whose secrets these are shares of.</param>
/// <param name="To">The peer that holds them.</param>
/// <param name="Nonce">The 12-byte GCM nonce.</param>
/// <param name="Ciphertext">The encrypted shares.</param>
/// <param name="Tag">The 16-byte GCM tag; the federation, round, sender and holder are the associated data.</param>
public sealed record EncryptedShare(string From, string To, byte[] Nonce, byte[] Ciphertext, byte[] Tag);
