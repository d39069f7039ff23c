namespace FedDistill.Security.SecureSummation;

/// <summary>
/// Arithmetic in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B), through log and
/// exponent tables of the generator 3: the field <see cref="ShamirSecretSharing"/> shares each
/// byte in, so a secret of any length splits byte by byte with no big-integer arithmetic.
/// </summary>
internal static class GaloisField256
{
    private static readonly byte[] Exponents = new byte[510];
    private static readonly byte[] Logarithms = new byte[256];

    static GaloisField256()
    {
        var value = 1;
        for (var power = 0; power < 255; power++)
        {
            Exponents[power] = (byte)value;
            Logarithms[value] = (byte)power;
            // Multiply by the generator 3 = x + 1: value * x xor value, reduced by 0x11B.
            var doubled = value << 1;
            if ((doubled & 0x100) != 0) doubled ^= 0x11B;
            value = doubled ^ value;
        }
        // The doubled table lets Multiply skip a modulo.
        for (var power = 255; power < 510; power++) Exponents[power] = Exponents[power - 255];
    }

    /// <summary>a · b in the field.</summary>
    public static byte Multiply(byte a, byte b) =>
        a == 0 || b == 0 ? (byte)0 : Exponents[Logarithms[a] + Logarithms[b]];

    /// <summary>a / b in the field; b must not be 0.</summary>
    public static byte Divide(byte a, byte b)
    {
        if (b == 0) throw new DivideByZeroException("Division by zero in GF(2^8).");
        return a == 0 ? (byte)0 : Exponents[Logarithms[a] + 255 - Logarithms[b]];
    }
}
