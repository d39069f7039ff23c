using System.Security.Cryptography;

namespace FedDistill.Security.SecureSummation;

/// <summary>
/// Shamir's t-of-n secret sharing over GF(2^8), byte by byte: any <c>threshold</c> shares
/// reconstruct the secret, and fewer reveal nothing about it (every value of the secret is equally
/// likely given t − 1 shares). Used by secure summation to let the surviving organizations rebuild
/// a dropped organization's masking key, and each survivor's self-mask seed.
/// </summary>
/// <remarks>
/// Byte-wise sharing caps a round at 255 holders (the non-zero points of GF(2^8)); the
/// coefficients come from the operating system's CSPRNG. Reconstruction cannot tell a wrong share
/// from a right one; callers check the result (secure summation compares a rebuilt key with the
/// public key its owner signed).
/// </remarks>
public static class ShamirSecretSharing
{
    /// <summary>Most holders a secret can be split among: the non-zero elements of GF(2^8).</summary>
    public const int MaxShares = 255;

    /// <summary>Splits <paramref name="secret"/> into <paramref name="shares"/> shares at points 1..n, any <paramref name="threshold"/> of which rebuild it.</summary>
    /// <param name="secret">The secret, at least one byte.</param>
    /// <param name="shares">n, the number of shares, in [threshold, 255].</param>
    /// <param name="threshold">t, the shares needed to rebuild, in [1, n].</param>
    /// <returns>n new shares; share i (0-based) has X = i + 1.</returns>
    /// <exception cref="ArgumentException">An empty secret, or n or t out of range.</exception>
    public static SecretShare[] Split(ReadOnlySpan<byte> secret, int shares, int threshold)
    {
        if (secret.IsEmpty) throw new ArgumentException("The secret is empty.", nameof(secret));
        if (threshold < 1) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be at least 1.");
        if (shares < threshold || shares > MaxShares)
            throw new ArgumentOutOfRangeException(nameof(shares), shares, $"The number of shares must lie in [threshold = {threshold}, {MaxShares}].");

        var result = new SecretShare[shares];
        for (var i = 0; i < shares; i++) result[i] = new SecretShare((byte)(i + 1), new byte[secret.Length]);
        // Coefficients 1..t-1 of every byte's polynomial; coefficient 0 is the secret byte.
        var coefficients = new byte[threshold - 1];
        for (var b = 0; b < secret.Length; b++)
        {
            RandomNumberGenerator.Fill(coefficients);
            for (var i = 0; i < shares; i++)
            {
                var x = result[i].X;
                // Horner's rule from the highest coefficient down.
                byte y = 0;
                for (var k = coefficients.Length - 1; k >= 0; k--) y = (byte)(GaloisField256.Multiply(y, x) ^ coefficients[k]);
                result[i].Y[b] = (byte)(GaloisField256.Multiply(y, x) ^ secret[b]);
            }
        }
        CryptographicOperations.ZeroMemory(coefficients);
        return result;
    }

    /// <summary>Rebuilds a secret from at least <paramref name="threshold"/> shares by Lagrange interpolation at 0.</summary>
    /// <param name="shares">Shares of one secret with distinct non-zero points and equal lengths; only the first <paramref name="threshold"/> are used.</param>
    /// <param name="threshold">t, the threshold the secret was split with.</param>
    /// <returns>The secret (a new array). With shares of different secrets, or wrong shares, the result is some other byte string: check it.</returns>
    /// <exception cref="ArgumentException">Fewer than t shares, a point 0, a repeated point, or shares of different lengths.</exception>
    public static byte[] Combine(IReadOnlyList<SecretShare> shares, int threshold)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (threshold < 1) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be at least 1.");
        if (shares.Count < threshold)
            throw new ArgumentException($"{shares.Count} share(s) cannot rebuild a secret split with threshold {threshold}.", nameof(shares));
        var used = shares.Take(threshold).ToArray();
        var length = used[0].Y.Length;
        if (used.Any(share => share.X == 0)) throw new ArgumentException("A share has the point 0, which is the secret itself.", nameof(shares));
        if (used.Select(share => share.X).Distinct().Count() != used.Length) throw new ArgumentException("Two shares have the same point.", nameof(shares));
        if (used.Any(share => share.Y.Length != length)) throw new ArgumentException("The shares have different lengths, so they are not of one secret.", nameof(shares));

        // Lagrange basis at 0: l_i(0) = Π_{j≠i} x_j / (x_j − x_i); subtraction is xor in GF(2^8).
        var basis = new byte[used.Length];
        for (var i = 0; i < used.Length; i++)
        {
            byte numerator = 1, denominator = 1;
            for (var j = 0; j < used.Length; j++)
            {
                if (i == j) continue;
                numerator = GaloisField256.Multiply(numerator, used[j].X);
                denominator = GaloisField256.Multiply(denominator, (byte)(used[j].X ^ used[i].X));
            }
            basis[i] = GaloisField256.Divide(numerator, denominator);
        }
        var secret = new byte[length];
        for (var b = 0; b < length; b++)
        {
            byte value = 0;
            for (var i = 0; i < used.Length; i++) value ^= GaloisField256.Multiply(basis[i], used[i].Y[b]);
            secret[b] = value;
        }
        return secret;
    }
}
